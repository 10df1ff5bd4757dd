import type { Client, types } from "cassandra-driver";
import type { MyListCursor, MyListEntry } from "./profiles/my-list-store.js";
import { CassandraMyListStore, eraseMyList } from "./profiles/my-list-store-cassandra.js";
import type {
  CreateProfileOutcome,
  PendingDeletion,
  PendingProfileDeletion,
  ProfileRecord,
  RotateOutcome,
  SessionRecord,
  SigningKeyRecord,
  UpdateProfileOutcome,
  UserRecord,
  UserStore,
} from "./store.js";

const RETIRED_KEEP = 20;
/** Attempts of an optimistic (compare-and-set) profile change before giving up. */
const CAS_ATTEMPTS = 8;

type Row = types.Row;
const str = (v: unknown): string => (v === null || v === undefined ? "" : String(v));

const userOf = (r: Row): UserRecord => ({
  userId: str(r.user_id),
  email: r.email,
  name: r.name,
  dateOfBirth: r.date_of_birth,
  country: r.country,
  passwordHash: r.password_hash,
  createTime: r.create_time,
  updateTime: r.update_time,
});

const profileOf = (r: Row): ProfileRecord => ({
  profileId: str(r.profile_id),
  userId: str(r.user_id),
  name: r.name,
  avatar: str(r.avatar),
  kids: r.kids === true,
  maturityCap: r.maturity_cap ?? 0,
  pinHash: str(r.pin_hash),
  createTime: r.create_time,
});

const sessionOf = (r: Row): SessionRecord => ({
  sessionId: str(r.session_id),
  userId: str(r.user_id),
  deviceName: str(r.device_name),
  refreshHash: r.refresh_hash,
  retiredHashes: (r.retired_hashes as string[] | null) ?? [],
  profileId: str(r.profile_id),
  createTime: r.create_time,
  expireTime: r.expire_time,
});

/** Seconds a session row should live: until it expires (at least 1, as TTL 0 means forever). */
const ttlUntil = (expire: Date) => Math.max(1, Math.ceil((expire.getTime() - Date.now()) / 1000));

/**
 * The user store on Cassandra (keyspace marquee_user). E-mail uniqueness is a
 * lightweight transaction on users_by_email; profile limits and name
 * uniqueness are a compare-and-set on the member's profiles_version; refresh
 * rotation is a compare-and-set on the session's current hash. Deletion is
 * one logged batch that also writes the pending_deletions outbox row and
 * erases the profiles' My List partitions (my_list, see the my-list adapter).
 */
export class CassandraUserStore implements UserStore {
  readonly #db: Client;
  readonly #myList: CassandraMyListStore;

  constructor(client: Client) {
    this.#db = client;
    this.#myList = new CassandraMyListStore(client);
  }

  async createUser(user: UserRecord): Promise<boolean> {
    const claim = await this.#db.execute(
      "INSERT INTO users_by_email (email, user_id) VALUES (?, ?) IF NOT EXISTS",
      [user.email, user.userId],
    );
    if (!claim.wasApplied()) return false;
    try {
      await this.#db.execute(
        `INSERT INTO users (user_id, email, name, date_of_birth, country, password_hash, create_time, update_time, profiles_version)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)`,
        [
          user.userId,
          user.email,
          user.name,
          user.dateOfBirth,
          user.country,
          user.passwordHash,
          user.createTime,
          user.updateTime,
        ],
      );
    } catch (err) {
      // Give the e-mail back rather than leave it claimed by a member who does not exist.
      await this.#db
        .execute("DELETE FROM users_by_email WHERE email = ? IF user_id = ?", [user.email, user.userId])
        .catch(() => {});
      throw err;
    }
    return true;
  }

  async getUser(userId: string): Promise<UserRecord | undefined> {
    const rs = await this.#db.execute("SELECT * FROM users WHERE user_id = ?", [userId]);
    const row = rs.first();
    return row ? userOf(row) : undefined;
  }

  async findUserIdByEmail(email: string): Promise<string | undefined> {
    const rs = await this.#db.execute("SELECT user_id FROM users_by_email WHERE email = ?", [email]);
    const row = rs.first();
    return row ? str(row.user_id) : undefined;
  }

  async updateUser(user: UserRecord): Promise<void> {
    await this.#db.execute(
      "UPDATE users SET name = ?, country = ?, password_hash = ?, update_time = ? WHERE user_id = ? IF EXISTS",
      [user.name, user.country, user.passwordHash, user.updateTime, user.userId],
    );
  }

  async deleteUser(userId: string, deleteTime: Date): Promise<PendingDeletion | undefined> {
    const user = await this.getUser(userId);
    if (user === undefined) return undefined;
    const profiles = await this.#db.execute("SELECT profile_id FROM profiles WHERE user_id = ?", [userId]);
    const sessions = await this.#db.execute("SELECT session_id FROM sessions_by_user WHERE user_id = ?", [
      userId,
    ]);
    const pending: PendingDeletion = {
      userId,
      profileIds: profiles.rows.map((r) => str(r.profile_id)),
      deleteTime,
    };
    // One logged batch: either every row goes (and the outbox row appears) or none does.
    await this.#db.batch(
      [
        { query: "DELETE FROM users WHERE user_id = ?", params: [userId] },
        { query: "DELETE FROM users_by_email WHERE email = ?", params: [user.email] },
        { query: "DELETE FROM profiles WHERE user_id = ?", params: [userId] },
        ...pending.profileIds.map(eraseMyList),
        { query: "DELETE FROM sessions_by_user WHERE user_id = ?", params: [userId] },
        ...sessions.rows.map((r) => ({
          query: "DELETE FROM sessions WHERE session_id = ?",
          params: [r.session_id],
        })),
        {
          query: "INSERT INTO pending_deletions (user_id, profile_ids, delete_time) VALUES (?, ?, ?)",
          params: [userId, pending.profileIds, deleteTime],
        },
      ],
      { prepare: true, logged: true },
    );
    return pending;
  }

  async pendingDeletions(): Promise<PendingDeletion[]> {
    const rs = await this.#db.execute("SELECT * FROM pending_deletions");
    return rs.rows.map((r) => ({
      userId: str(r.user_id),
      profileIds: (r.profile_ids as string[] | null) ?? [],
      deleteTime: r.delete_time,
    }));
  }

  async clearPendingDeletion(userId: string): Promise<void> {
    await this.#db.execute("DELETE FROM pending_deletions WHERE user_id = ?", [userId]);
  }

  async listProfiles(userId: string): Promise<ProfileRecord[]> {
    const rs = await this.#db.execute("SELECT * FROM profiles WHERE user_id = ?", [userId]);
    return rs.rows
      .map(profileOf)
      .sort(
        (a, b) => a.createTime.getTime() - b.createTime.getTime() || a.profileId.localeCompare(b.profileId),
      );
  }

  async getProfile(userId: string, profileId: string): Promise<ProfileRecord | undefined> {
    const rs = await this.#db.execute("SELECT * FROM profiles WHERE user_id = ? AND profile_id = ?", [
      userId,
      profileId,
    ]);
    const row = rs.first();
    return row ? profileOf(row) : undefined;
  }

  /**
   * Runs `decide` on a consistent view of the account's profiles and claims
   * the change by bumping profiles_version with a compare-and-set, retrying
   * when another change won the race. Returns the decision, or undefined when
   * the member does not exist.
   */
  async #withProfilesLock<T extends string>(
    userId: string,
    decide: (profiles: ProfileRecord[]) => T,
    proceedOn: T,
  ): Promise<T | undefined> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const rs = await this.#db.execute("SELECT profiles_version FROM users WHERE user_id = ?", [userId]);
      const row = rs.first();
      if (!row) return undefined;
      const version = (row.profiles_version as number | null) ?? 0;
      const outcome = decide(await this.listProfiles(userId));
      if (outcome !== proceedOn) return outcome;
      const cas = await this.#db.execute(
        "UPDATE users SET profiles_version = ? WHERE user_id = ? IF profiles_version = ?",
        [version + 1, userId, version],
      );
      if (cas.wasApplied()) return outcome;
    }
    throw new Error(`profiles of ${userId} kept changing; gave up after ${CAS_ATTEMPTS} attempts`);
  }

  async #putProfile(p: ProfileRecord): Promise<void> {
    await this.#db.execute(
      `INSERT INTO profiles (user_id, profile_id, name, avatar, kids, maturity_cap, pin_hash, create_time)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [p.userId, p.profileId, p.name, p.avatar, p.kids, p.maturityCap, p.pinHash, p.createTime],
    );
  }

  async createProfile(
    profile: ProfileRecord,
    max: number,
    nameKey: (name: string) => string,
  ): Promise<CreateProfileOutcome> {
    const outcome = await this.#withProfilesLock<CreateProfileOutcome>(
      profile.userId,
      (existing) => {
        if (existing.some((p) => nameKey(p.name) === nameKey(profile.name))) return "name-taken";
        if (existing.length >= max) return "limit-reached";
        return "created";
      },
      "created",
    );
    if (outcome === undefined) return "limit-reached";
    if (outcome === "created") await this.#putProfile(profile);
    return outcome;
  }

  async updateProfile(
    profile: ProfileRecord,
    nameKey: (name: string) => string,
  ): Promise<UpdateProfileOutcome> {
    const outcome = await this.#withProfilesLock<UpdateProfileOutcome>(
      profile.userId,
      (existing) => {
        if (!existing.some((p) => p.profileId === profile.profileId)) return "not-found";
        const clash = existing.some(
          (p) => p.profileId !== profile.profileId && nameKey(p.name) === nameKey(profile.name),
        );
        return clash ? "name-taken" : "updated";
      },
      "updated",
    );
    if (outcome === undefined) return "not-found";
    if (outcome === "updated") await this.#putProfile(profile);
    return outcome;
  }

  async deleteProfile(
    userId: string,
    profileId: string,
    deleteTime: Date,
  ): Promise<PendingProfileDeletion | undefined> {
    // Under the profiles lock, like creates and updates: a racing update cannot bring it back.
    const outcome = await this.#withProfilesLock(
      userId,
      (existing) => (existing.some((p) => p.profileId === profileId) ? "delete" : "not-found"),
      "delete",
    );
    if (outcome !== "delete") return undefined;
    await this.#db.batch(
      [
        { query: "DELETE FROM profiles WHERE user_id = ? AND profile_id = ?", params: [userId, profileId] },
        eraseMyList(profileId),
        {
          query: "INSERT INTO pending_profile_deletions (profile_id, user_id, delete_time) VALUES (?, ?, ?)",
          params: [profileId, userId, deleteTime],
        },
      ],
      { prepare: true, logged: true },
    );
    return { userId, profileId, deleteTime };
  }

  async pendingProfileDeletions(): Promise<PendingProfileDeletion[]> {
    const rs = await this.#db.execute("SELECT * FROM pending_profile_deletions");
    return rs.rows.map((r) => ({
      userId: str(r.user_id),
      profileId: str(r.profile_id),
      deleteTime: r.delete_time as Date,
    }));
  }

  async clearPendingProfileDeletion(profileId: string): Promise<void> {
    await this.#db.execute("DELETE FROM pending_profile_deletions WHERE profile_id = ?", [profileId], {
      prepare: true,
    });
  }

  addToMyList(profileId: string, entry: MyListEntry, max: number) {
    return this.#myList.addToMyList(profileId, entry, max);
  }

  removeFromMyList(profileId: string, contentId: string): Promise<void> {
    return this.#myList.removeFromMyList(profileId, contentId);
  }

  listMyList(profileId: string, limit: number, after?: MyListCursor): Promise<MyListEntry[]> {
    return this.#myList.listMyList(profileId, limit, after);
  }

  async createSession(s: SessionRecord): Promise<void> {
    const ttl = ttlUntil(s.expireTime);
    await this.#db.batch(
      [
        {
          query: `INSERT INTO sessions (session_id, user_id, device_name, refresh_hash, retired_hashes, profile_id, create_time, expire_time)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?`,
          params: [
            s.sessionId,
            s.userId,
            s.deviceName,
            s.refreshHash,
            s.retiredHashes,
            s.profileId,
            s.createTime,
            s.expireTime,
            ttl,
          ],
        },
        {
          query: "INSERT INTO sessions_by_user (user_id, session_id) VALUES (?, ?) USING TTL ?",
          params: [s.userId, s.sessionId, ttl],
        },
      ],
      { prepare: true, logged: true },
    );
  }

  async getSession(sessionId: string): Promise<SessionRecord | undefined> {
    const rs = await this.#db.execute("SELECT * FROM sessions WHERE session_id = ?", [sessionId]);
    const row = rs.first();
    if (!row || row.refresh_hash === null) return undefined;
    const session = sessionOf(row);
    return session.expireTime.getTime() > Date.now() ? session : undefined;
  }

  async rotateRefresh(
    sessionId: string,
    presentedHash: string,
    nextHash: string,
    expireTime: Date,
  ): Promise<RotateOutcome> {
    const session = await this.getSession(sessionId);
    if (session === undefined) return "unknown";
    if (session.refreshHash === presentedHash) {
      const retired = [...session.retiredHashes, presentedHash].slice(-RETIRED_KEEP);
      const cas = await this.#db.execute(
        `UPDATE sessions USING TTL ? SET refresh_hash = ?, retired_hashes = ?, expire_time = ?
         WHERE session_id = ? IF refresh_hash = ?`,
        [ttlUntil(expireTime), nextHash, retired, expireTime, sessionId, presentedHash],
      );
      if (cas.wasApplied()) return "rotated";
      // Someone rotated with this very token a moment ago: it is now a retired one.
    }
    const current = await this.getSession(sessionId);
    if (current === undefined) return "unknown";
    if (current.retiredHashes.includes(presentedHash)) {
      await this.revokeSession(sessionId);
      return "reused";
    }
    return "unknown";
  }

  async setSessionProfile(sessionId: string, profileId: string): Promise<void> {
    const session = await this.getSession(sessionId);
    if (session === undefined) return;
    await this.#db.execute("UPDATE sessions USING TTL ? SET profile_id = ? WHERE session_id = ? IF EXISTS", [
      ttlUntil(session.expireTime),
      profileId,
      sessionId,
    ]);
  }

  async revokeSession(sessionId: string): Promise<void> {
    const rs = await this.#db.execute("SELECT user_id FROM sessions WHERE session_id = ?", [sessionId]);
    const row = rs.first();
    const queries = [{ query: "DELETE FROM sessions WHERE session_id = ?", params: [sessionId] }];
    if (row?.user_id) {
      queries.push({
        query: "DELETE FROM sessions_by_user WHERE user_id = ? AND session_id = ?",
        params: [row.user_id, sessionId],
      });
    }
    await this.#db.batch(queries, { prepare: true, logged: true });
  }

  async revokeAllSessions(userId: string): Promise<void> {
    const rs = await this.#db.execute("SELECT session_id FROM sessions_by_user WHERE user_id = ?", [userId]);
    await this.#db.batch(
      [
        ...rs.rows.map((r) => ({
          query: "DELETE FROM sessions WHERE session_id = ?",
          params: [r.session_id],
        })),
        { query: "DELETE FROM sessions_by_user WHERE user_id = ?", params: [userId] },
      ],
      { prepare: true, logged: true },
    );
  }

  async signingKey(candidate: SigningKeyRecord): Promise<SigningKeyRecord> {
    const rs = await this.#db.execute(
      "INSERT INTO signing_keys (id, kid, private_jwk, public_jwk, create_time) VALUES ('current', ?, ?, ?, ?) IF NOT EXISTS",
      [candidate.kid, candidate.privateJwk, candidate.publicJwk, candidate.createTime],
    );
    if (rs.wasApplied()) return candidate;
    const stored = await this.#db.execute("SELECT * FROM signing_keys WHERE id = 'current'", [], {
      consistency: 0x08 /* SERIAL: see the winner of the insert */,
    });
    const row = stored.first();
    if (!row) throw new Error("signing key vanished after a lost insert");
    return {
      kid: row.kid,
      privateJwk: row.private_jwk,
      publicJwk: row.public_jwk,
      createTime: row.create_time,
    };
  }

  async close(): Promise<void> {
    await this.#db.shutdown();
  }
}
