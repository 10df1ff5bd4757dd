import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { CLIENT_IP_HEADER, type Logger, OPERATOR_ROLE, requireInternal, SESSION_HEADER } from "@marquee/kit";
import {
  type SessionTokens,
  SessionTokensSchema,
  type UserService,
} from "@marquee/sdk/marquee/user/v1/user_service_pb";
import { toProfile, toUser } from "../convert.js";
import { throttled } from "../errors.js";
import { memberOf, ownProfile } from "../ownership.js";
import { verifyAgainstNothing, verifyPassword } from "../passwords.js";
import { normaliseEmail } from "../rules.js";
import type { MemberStore, ProfileStore, SessionRecord, SessionStore } from "../store.js";
import type { Throttle } from "../throttle.js";
import {
  type AccessClaims,
  hashRefreshToken,
  newRefreshToken,
  sessionOfRefreshToken,
  type TokenIssuer,
} from "./tokens.js";

type MemberClaims = Pick<AccessClaims, "country" | "roles">;

type AuthRpc = "login" | "refreshSession" | "logout" | "selectProfile" | "getSigningKeys" | "checkSession";

export interface AuthDeps {
  store: SessionStore & Pick<MemberStore, "getUser" | "findUserIdByEmail"> & Pick<ProfileStore, "getProfile">;
  tokens: TokenIssuer;
  log: Logger;
  refreshTtlMs: number;
  /** Failed sign-ins per account. */
  accountThrottle: Throttle;
  /** Failed sign-ins per client address. */
  addressThrottle: Throttle;
  /** Wrong PINs per profile. */
  pinThrottle: Throttle;
  /** Normalised e-mail addresses whose tokens carry the operator role (MARQUEE_OPERATOR_EMAILS); none when absent. */
  operatorEmails?: ReadonlySet<string> | undefined;
}

const badRefresh = () =>
  new ConnectError("the refresh token is not valid (expired or ended); sign in again", Code.Unauthenticated);

/** Sign-in: sessions with rotating refresh tokens, access tokens (also scoped to a profile), signing keys. */
export function authHandlers(deps: AuthDeps): Pick<ServiceImpl<typeof UserService>, AuthRpc> {
  const { store, tokens, log } = deps;

  /** What tokens say of the member: the country ("" when the member is gone) and the roles. */
  const claimsOf = (user: { email: string; country: string } | undefined): MemberClaims => ({
    country: user?.country ?? "",
    roles: user !== undefined && deps.operatorEmails?.has(user.email) === true ? [OPERATOR_ROLE] : [],
  });
  const memberClaims = async (userId: string) => claimsOf(await store.getUser(userId));

  async function sessionTokens(
    session: SessionRecord,
    refreshToken: string,
    member: MemberClaims,
  ): Promise<SessionTokens> {
    const profile =
      session.profileId === "" ? undefined : await store.getProfile(session.userId, session.profileId);
    const access = await tokens.accessToken({
      userId: session.userId,
      sessionId: session.sessionId,
      ...member,
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

  return {
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
      return { user: toUser(user), tokens: await sessionTokens(session, refresh.token, claimsOf(user)) };
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
      return {
        tokens: await sessionTokens(
          { ...session, refreshHash: next.hash },
          next.token,
          await memberClaims(session.userId),
        ),
      };
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

    async selectProfile(req, ctx) {
      const caller = memberOf(ctx);
      const sessionId = ctx.requestHeader.get(SESSION_HEADER) ?? "";
      const session = sessionId === "" ? undefined : await store.getSession(sessionId);
      if (session === undefined || session.userId !== caller.userId) {
        throw new ConnectError("your session has ended; sign in again", Code.Unauthenticated);
      }
      const profile = await ownProfile(store, ctx, req.profileId);
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
        ...(await memberClaims(caller.userId)),
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
