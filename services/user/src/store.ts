import type { MyListStore } from "./profiles/my-list-store.js";

/**
 * The user store port: what the user service needs to keep members, their
 * profiles, sign-in sessions and the token signing key, one narrow port per
 * slice (account, profiles, auth) and UserStore for all of them. Adapters:
 * store-embedded.ts (classic-level) and store-cassandra.ts; one contract
 * suite (test/store-contract.ts) runs against both.
 */
export interface UserRecord {
  userId: string;
  /** Normalised (trimmed, lower-case). */
  email: string;
  name: string;
  dateOfBirth: string;
  country: string;
  passwordHash: string;
  createTime: Date;
  updateTime: Date;
}

export interface ProfileRecord {
  profileId: string;
  userId: string;
  name: string;
  avatar: string;
  kids: boolean;
  /** marquee.common.v1.MaturityRating; 0 = no cap. */
  maturityCap: number;
  /** argon2id hash of the 4-digit PIN, or "" when the profile has none. */
  pinHash: string;
  createTime: Date;
}

export interface SessionRecord {
  sessionId: string;
  userId: string;
  deviceName: string;
  /** sha256 (hex) of the current refresh token's secret. */
  refreshHash: string;
  /** Hashes of refresh tokens this session has rotated past: presenting one means a token was stolen. */
  retiredHashes: string[];
  /** The profile selected in this session, or "". */
  profileId: string;
  createTime: Date;
  expireTime: Date;
}

/** The token signing key pair, as JWKs (JSON text). */
export interface SigningKeyRecord {
  kid: string;
  privateJwk: string;
  publicJwk: string;
  createTime: Date;
}

/** A deletion whose user.deleted event is not yet known to be published (the outbox). */
export interface PendingDeletion {
  userId: string;
  profileIds: string[];
  deleteTime: Date;
}

/** A profile deletion whose profile.deleted event is not yet known to be published (the outbox). */
export interface PendingProfileDeletion {
  userId: string;
  profileId: string;
  deleteTime: Date;
}

export type CreateProfileOutcome = "created" | "limit-reached" | "name-taken";
export type UpdateProfileOutcome = "updated" | "not-found" | "name-taken";
export type RotateOutcome = "rotated" | "reused" | "unknown";

/** Members, and the outbox of their deletions (the account slice). */
export interface MemberStore {
  /** Creates the member unless the e-mail is taken (atomically, even under concurrent calls). */
  createUser(user: UserRecord): Promise<boolean>;
  getUser(userId: string): Promise<UserRecord | undefined>;
  findUserIdByEmail(email: string): Promise<string | undefined>;
  /** Replaces name, country, password hash and update time of an existing member. */
  updateUser(user: UserRecord): Promise<void>;
  /**
   * Erases the member with their e-mail row, profiles, lists and sessions in one
   * atomic step that also records a pending deletion (see PendingDeletion).
   */
  deleteUser(userId: string, deleteTime: Date): Promise<PendingDeletion | undefined>;
  pendingDeletions(): Promise<PendingDeletion[]>;
  /** Forgets a pending deletion once its event is published. */
  clearPendingDeletion(userId: string): Promise<void>;
}

/** A member's profiles, and the outbox of their deletions (the profiles slice). */
export interface ProfileStore {
  /** The account's profiles, oldest first. */
  listProfiles(userId: string): Promise<ProfileRecord[]>;
  getProfile(userId: string, profileId: string): Promise<ProfileRecord | undefined>;
  /** Adds a profile unless the account has `max` already or one of the same name (compared by nameKey). */
  createProfile(
    profile: ProfileRecord,
    max: number,
    nameKey: (name: string) => string,
  ): Promise<CreateProfileOutcome>;
  updateProfile(profile: ProfileRecord, nameKey: (name: string) => string): Promise<UpdateProfileOutcome>;
  /**
   * Removes the profile and its My List in one atomic step that also records a pending
   * profile deletion (see PendingProfileDeletion); undefined when the account
   * has no such profile.
   */
  deleteProfile(
    userId: string,
    profileId: string,
    deleteTime: Date,
  ): Promise<PendingProfileDeletion | undefined>;
  pendingProfileDeletions(): Promise<PendingProfileDeletion[]>;
  /** Forgets a pending profile deletion once its event is published. */
  clearPendingProfileDeletion(profileId: string): Promise<void>;
}

/** Sign-in sessions (the auth slice). */
export interface SessionStore {
  createSession(session: SessionRecord): Promise<void>;
  getSession(sessionId: string): Promise<SessionRecord | undefined>;
  /**
   * Replaces the refresh token of a session if `presentedHash` is its current
   * one ("rotated"); a retired hash means reuse ("reused", and the session is
   * revoked); anything else is "unknown".
   */
  rotateRefresh(
    sessionId: string,
    presentedHash: string,
    nextHash: string,
    expireTime: Date,
  ): Promise<RotateOutcome>;
  setSessionProfile(sessionId: string, profileId: string): Promise<void>;
  revokeSession(sessionId: string): Promise<void>;
  revokeAllSessions(userId: string): Promise<void>;
}

/** The key access tokens are signed with (the auth slice's TokenIssuer). */
export interface SigningKeyStore {
  /** The stored signing key, or `candidate` stored now when there is none (first writer wins). */
  signingKey(candidate: SigningKeyRecord): Promise<SigningKeyRecord>;
}

/**
 * All of it in one database, because deleting a member erases their
 * profiles, their lists and sessions in the same atomic step (and deleting a
 * profile its list).
 */
export interface UserStore extends MemberStore, ProfileStore, MyListStore, SessionStore, SigningKeyStore {
  close(): Promise<void>;
}
