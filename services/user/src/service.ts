import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { type Caller, type Logger, requireInternal, requireMember, requireSelf } from "@marquee/kit";
import { EVENTS, type EventBus, publishEvent } from "@marquee/kit/bus";
import {
  type SessionTokens,
  SessionTokensSchema,
  type UserService,
} from "@marquee/sdk/marquee/user/v1/user_service_pb";
import { toProfile, toUser } from "./convert.js";
import { fieldViolation, throttled } from "./errors.js";
import { hashPassword, verifyAgainstNothing, verifyPassword } from "./passwords.js";
import { dateOfBirthProblem, MAX_PROFILES, normaliseEmail, profileCap, profileNameKey } from "./rules.js";
import type { ProfileRecord, SessionRecord, UserRecord, UserStore } from "./store.js";
import type { Throttle } from "./throttle.js";
import { hashRefreshToken, newRefreshToken, sessionOfRefreshToken, type TokenIssuer } from "./tokens.js";

/**
 * Headers the gateway sets on forwarded calls (never taken from outside):
 * the client's network address, for per-address login throttling, and the
 * session of the access token the caller presented, for SelectProfile.
 */
export const CLIENT_IP_HEADER = "x-marquee-client-ip";
export const SESSION_HEADER = "x-marquee-session";

export interface UserServiceDeps {
  store: UserStore;
  tokens: TokenIssuer;
  bus: EventBus;
  log: Logger;
  refreshTtlMs: number;
  /** Failed sign-ins (and password confirmations) per account. */
  accountThrottle: Throttle;
  /** Failed sign-ins per client address. */
  addressThrottle: Throttle;
  /** Wrong PINs per profile. */
  pinThrottle: Throttle;
}

const badRefresh = () =>
  new ConnectError("the refresh token is not valid (expired or ended); sign in again", Code.Unauthenticated);

/** The UserService handlers. */
export function userService(deps: UserServiceDeps): ServiceImpl<typeof UserService> {
  const { store, tokens, bus, log } = deps;

  async function sessionTokens(session: SessionRecord, refreshToken: string): Promise<SessionTokens> {
    const profile =
      session.profileId === "" ? undefined : await store.getProfile(session.userId, session.profileId);
    const access = await tokens.accessToken({
      userId: session.userId,
      sessionId: session.sessionId,
      profileId: profile?.profileId,
      maturityCap: profile?.maturityCap,
    });
    return create(SessionTokensSchema, {
      accessToken: access.token,
      accessTokenExpireTime: timestampFromDate(access.expireTime),
      refreshToken,
      refreshTokenExpireTime: timestampFromDate(session.expireTime),
      sessionId: session.sessionId,
    });
  }

  /** Checks a password the member types again (change, delete), throttled like sign-ins. */
  async function confirmPassword(user: UserRecord, password: string): Promise<void> {
    const key = user.userId;
    const wait = deps.accountThrottle.retryAfterMs(key);
    if (wait > 0) throw throttled("too many wrong passwords for this account", wait);
    if (!(await verifyPassword(user.passwordHash, password))) {
      deps.accountThrottle.fail(key);
      throw new ConnectError("the password is not correct", Code.PermissionDenied);
    }
  }

  async function ownUser(ctx: HandlerContext, userId: string): Promise<UserRecord> {
    requireSelf(ctx, userId);
    const user = await store.getUser(userId);
    if (user === undefined) throw new ConnectError(`no member ${userId}`, Code.NotFound);
    return user;
  }

  /** Profile RPCs name only a profile: it is looked up in the signed-in member's own account. */
  function memberOf(ctx: HandlerContext): Caller & { userId: string } {
    const caller = requireMember(ctx);
    if (caller.kind !== "member" || caller.userId === undefined) {
      throw new ConnectError("profile RPCs act for a signed-in member", Code.PermissionDenied);
    }
    return caller as Caller & { userId: string };
  }

  async function ownProfile(ctx: HandlerContext, profileId: string): Promise<ProfileRecord> {
    const caller = memberOf(ctx);
    const profile = await store.getProfile(caller.userId, profileId);
    // Another member's profile is "not found" too: ids of other accounts reveal nothing.
    if (profile === undefined)
      throw new ConnectError(`no profile ${profileId} in your account`, Code.NotFound);
    return profile;
  }

  return {
    async registerUser(req) {
      const problem = dateOfBirthProblem(req.dateOfBirth);
      if (problem !== undefined) {
        throw fieldViolation(
          "RegisterUserRequest",
          { name: "date_of_birth", number: 4 },
          "date_of_birth.valid_past_date",
          problem,
        );
      }
      const email = normaliseEmail(req.email);
      const taken = () =>
        new ConnectError("an account with this e-mail address already exists", Code.AlreadyExists);
      if ((await store.findUserIdByEmail(email)) !== undefined) throw taken();
      const now = new Date();
      const user: UserRecord = {
        userId: randomUUID(),
        email,
        name: req.name,
        dateOfBirth: req.dateOfBirth,
        country: req.country,
        passwordHash: await hashPassword(req.password),
        createTime: now,
        updateTime: now,
      };
      if (!(await store.createUser(user))) throw taken();
      return { user: toUser(user) };
    },

    async login(req, ctx) {
      const email = normaliseEmail(req.email);
      const address = ctx.requestHeader.get(CLIENT_IP_HEADER) ?? "";
      const accountKey = `email:${email}`;
      const addressKey = `ip:${address}`;
      const wait = Math.max(
        deps.accountThrottle.retryAfterMs(accountKey),
        address === "" ? 0 : deps.addressThrottle.retryAfterMs(addressKey),
      );
      if (wait > 0) throw throttled("too many failed sign-ins", wait);
      const userId = await store.findUserIdByEmail(email);
      const user = userId === undefined ? undefined : await store.getUser(userId);
      const ok =
        user === undefined
          ? await verifyAgainstNothing(req.password)
          : await verifyPassword(user.passwordHash, req.password);
      if (user === undefined || !ok) {
        deps.accountThrottle.fail(accountKey);
        if (address !== "") deps.addressThrottle.fail(addressKey);
        throw new ConnectError("wrong e-mail address or password", Code.Unauthenticated);
      }
      deps.accountThrottle.succeed(accountKey);
      const now = Date.now();
      const sessionId = randomUUID();
      const refresh = newRefreshToken(sessionId);
      const session: SessionRecord = {
        sessionId,
        userId: user.userId,
        deviceName: req.deviceName,
        refreshHash: refresh.hash,
        retiredHashes: [],
        profileId: "",
        createTime: new Date(now),
        expireTime: new Date(now + deps.refreshTtlMs),
      };
      await store.createSession(session);
      return { user: toUser(user), tokens: await sessionTokens(session, refresh.token) };
    },

    async refreshSession(req) {
      const sessionId = sessionOfRefreshToken(req.refreshToken);
      if (sessionId === undefined) throw badRefresh();
      const session = await store.getSession(sessionId);
      if (session === undefined) throw badRefresh();
      const next = newRefreshToken(sessionId);
      const outcome = await store.rotateRefresh(
        sessionId,
        hashRefreshToken(req.refreshToken),
        next.hash,
        session.expireTime,
      );
      if (outcome === "reused") {
        log.warn({ sessionId, userId: session.userId }, "refresh token reused; session revoked");
        throw new ConnectError(
          "this refresh token was already used, so the session was ended to protect the account; sign in again",
          Code.Unauthenticated,
        );
      }
      if (outcome !== "rotated") throw badRefresh();
      return { tokens: await sessionTokens({ ...session, refreshHash: next.hash }, next.token) };
    },

    async logout(req) {
      const sessionId = sessionOfRefreshToken(req.refreshToken);
      if (sessionId === undefined) throw badRefresh();
      const session = await store.getSession(sessionId);
      // Already ended: logging out again is not an error.
      if (session === undefined) return {};
      if (session.refreshHash !== hashRefreshToken(req.refreshToken)) throw badRefresh();
      await store.revokeSession(sessionId);
      return {};
    },

    async getUser(req, ctx) {
      return { user: toUser(await ownUser(ctx, req.userId)) };
    },

    async updateUserProfile(req, ctx) {
      const user = await ownUser(ctx, req.userId);
      const next: UserRecord = {
        ...user,
        name: req.name ?? user.name,
        country: req.country ?? user.country,
        updateTime: new Date(),
      };
      await store.updateUser(next);
      return { user: toUser(next) };
    },

    async changePassword(req, ctx) {
      const user = await ownUser(ctx, req.userId);
      await confirmPassword(user, req.currentPassword);
      await store.updateUser({
        ...user,
        passwordHash: await hashPassword(req.newPassword),
        updateTime: new Date(),
      });
      await store.revokeAllSessions(user.userId);
      return {};
    },

    async deleteUser(req, ctx) {
      const user = await ownUser(ctx, req.userId);
      await confirmPassword(user, req.password);
      const pending = await store.deleteUser(user.userId, new Date());
      if (pending === undefined) throw new ConnectError(`no member ${req.userId}`, Code.NotFound);
      // The deletion is durable and its event is in the store's outbox: if this publish
      // fails, the relay (see start.ts) publishes it later. The msgId makes repeats harmless.
      try {
        await publishUserDeleted(bus, pending);
        await store.clearPendingDeletion(user.userId);
      } catch (err) {
        log.warn({ err, userId: user.userId }, "user.deleted not published yet; the relay will retry");
      }
      return {};
    },

    async createProfile(req, ctx) {
      requireSelf(ctx, req.userId);
      const cap = profileCap(req.kids, req.maturityCap);
      if (typeof cap === "string") {
        throw fieldViolation(
          "CreateProfileRequest",
          { name: "maturity_cap", number: 5 },
          "profile.kids_cap",
          cap,
        );
      }
      const profile: ProfileRecord = {
        profileId: randomUUID(),
        userId: req.userId,
        name: req.name.trim(),
        avatar: req.avatar,
        kids: req.kids,
        maturityCap: cap,
        pinHash: req.pin === undefined ? "" : await hashPassword(req.pin),
        createTime: new Date(),
      };
      const outcome = await store.createProfile(profile, MAX_PROFILES, profileNameKey);
      if (outcome === "name-taken") {
        throw new ConnectError(
          `a profile named "${profile.name}" already exists in this account`,
          Code.AlreadyExists,
        );
      }
      if (outcome === "limit-reached") {
        throw new ConnectError(
          `an account has at most ${MAX_PROFILES} profiles; delete one first`,
          Code.FailedPrecondition,
        );
      }
      return { profile: toProfile(profile) };
    },

    async listProfiles(req, ctx) {
      requireSelf(ctx, req.userId);
      return { profiles: (await store.listProfiles(req.userId)).map(toProfile) };
    },

    async updateProfile(req, ctx) {
      const profile = await ownProfile(ctx, req.profileId);
      const cap = profileCap(profile.kids, req.maturityCap ?? profile.maturityCap);
      if (typeof cap === "string") {
        throw fieldViolation(
          "UpdateProfileRequest",
          { name: "maturity_cap", number: 4 },
          "profile.kids_cap",
          cap,
        );
      }
      const next: ProfileRecord = {
        ...profile,
        name: req.name?.trim() ?? profile.name,
        avatar: req.avatar ?? profile.avatar,
        maturityCap: cap,
        pinHash: req.pin === undefined ? profile.pinHash : req.pin === "" ? "" : await hashPassword(req.pin),
      };
      const outcome = await store.updateProfile(next, profileNameKey);
      if (outcome === "not-found")
        throw new ConnectError(`no profile ${req.profileId} in your account`, Code.NotFound);
      if (outcome === "name-taken") {
        throw new ConnectError(
          `a profile named "${next.name}" already exists in this account`,
          Code.AlreadyExists,
        );
      }
      return { profile: toProfile(next) };
    },

    async deleteProfile(req, ctx) {
      const profile = await ownProfile(ctx, req.profileId);
      const pending = await store.deleteProfile(profile.userId, profile.profileId, new Date());
      if (pending === undefined) {
        throw new ConnectError(`no profile ${req.profileId} in your account`, Code.NotFound);
      }
      // As for deleteUser: the event waits in the outbox until it is known to be published.
      try {
        await publishProfileDeleted(bus, pending);
        await store.clearPendingProfileDeletion(pending.profileId);
      } catch (err) {
        log.warn(
          { err, profileId: pending.profileId },
          "profile.deleted not published yet; the relay will retry",
        );
      }
      return {};
    },

    async selectProfile(req, ctx) {
      const caller = memberOf(ctx);
      const sessionId = ctx.requestHeader.get(SESSION_HEADER) ?? "";
      const session = sessionId === "" ? undefined : await store.getSession(sessionId);
      if (session === undefined || session.userId !== caller.userId) {
        throw new ConnectError("your session has ended; sign in again", Code.Unauthenticated);
      }
      const profile = await ownProfile(ctx, req.profileId);
      if (profile.pinHash !== "") {
        const key = profile.profileId;
        const wait = deps.pinThrottle.retryAfterMs(key);
        if (wait > 0) throw throttled("too many wrong PINs for this profile", wait);
        if (req.pin === "" || !(await verifyPassword(profile.pinHash, req.pin))) {
          deps.pinThrottle.fail(key);
          throw new ConnectError(
            req.pin === "" ? "this profile needs its PIN" : "the PIN is not correct",
            Code.PermissionDenied,
          );
        }
        deps.pinThrottle.succeed(key);
      }
      await store.setSessionProfile(session.sessionId, profile.profileId);
      const access = await tokens.accessToken({
        userId: caller.userId,
        sessionId: session.sessionId,
        profileId: profile.profileId,
        maturityCap: profile.maturityCap,
      });
      return {
        profile: toProfile(profile),
        accessToken: access.token,
        accessTokenExpireTime: timestampFromDate(access.expireTime),
      };
    },

    getSigningKeys(_req, ctx) {
      requireInternal(ctx);
      return { jwksJson: tokens.jwks() };
    },

    async checkSession(req, ctx) {
      requireInternal(ctx);
      const session = await store.getSession(req.sessionId);
      return { active: session !== undefined && session.userId === req.userId };
    },
  };
}

/** Publishes user.deleted for a pending deletion; the msgId is the same on every retry. */
export function publishUserDeleted(
  bus: EventBus,
  pending: { userId: string; profileIds: string[]; deleteTime: Date },
): Promise<void> {
  return publishEvent(
    bus,
    EVENTS.userDeleted,
    {
      userId: pending.userId,
      profileIds: pending.profileIds,
      deleteTime: timestampFromDate(pending.deleteTime),
    },
    `user.deleted:${pending.userId}`,
  );
}

/** Publishes profile.deleted for a pending profile deletion; the msgId is the same on every retry. */
export function publishProfileDeleted(
  bus: EventBus,
  pending: { userId: string; profileId: string; deleteTime: Date },
): Promise<void> {
  return publishEvent(
    bus,
    EVENTS.profileDeleted,
    {
      userId: pending.userId,
      profileId: pending.profileId,
      deleteTime: timestampFromDate(pending.deleteTime),
    },
    `profile.deleted:${pending.profileId}`,
  );
}
