/**
 * The app's one Marquee client: Connect-Web to the gateway on this origin,
 * with the session's (refreshed) token on every call and one retry after a
 * refresh when a call comes back Unauthenticated.
 */
import { timestampMs } from "@bufbuild/protobuf/wkt";
import {
  Code,
  ConnectError,
  createMarqueeWeb,
  type Interceptor,
  type MarqueeClients,
} from "@marquee/sdk/browser";
import type { SessionTokens } from "@marquee/sdk/marquee/user/v1/user_service_pb";
import { SessionError, SessionManager, type Tokens } from "./session.js";

export const baseUrl = location.origin;

/** Tokens of a Login/RefreshSession response in the session's shape. */
export function tokensFrom(t: SessionTokens | undefined): Tokens {
  if (!t) throw new SessionError("the server returned no tokens", false);
  return {
    accessToken: t.accessToken,
    accessExpireMs: t.accessTokenExpireTime ? timestampMs(t.accessTokenExpireTime) : Date.now() + 5 * 60_000,
    refreshToken: t.refreshToken,
    refreshExpireMs: t.refreshTokenExpireTime
      ? timestampMs(t.refreshTokenExpireTime)
      : Date.now() + 30 * 24 * 3_600_000,
    sessionId: t.sessionId,
  };
}

/**
 * Binary Connect: the gateway passes it to the services as bytes, where JSON is decoded and
 * re-encoded on the way (the reports that must survive the page are JSON: keepalive.ts).
 */
const BINARY = true;

/** Calls without credentials (sign-in, refresh). */
const anonymous: MarqueeClients = createMarqueeWeb({ baseUrl, useBinaryFormat: BINARY });

export const session = new SessionManager({
  storage: localStorage,
  now: () => Date.now(),
  async refresh(refreshToken) {
    try {
      const res = await anonymous.user.refreshSession({ refreshToken });
      return tokensFrom(res.tokens);
    } catch (err) {
      const e = ConnectError.from(err);
      const gone =
        e.code === Code.Unauthenticated || e.code === Code.NotFound || e.code === Code.InvalidArgument;
      throw new SessionError(e.rawMessage, gone);
    }
  },
  async selectProfile(profileId, memberToken) {
    const res = await anonymous.user.selectProfile(
      { profileId, pin: "" },
      { headers: { authorization: `Bearer ${memberToken}` } },
    );
    return {
      token: res.accessToken,
      expireMs: res.accessTokenExpireTime ? timestampMs(res.accessTokenExpireTime) : Date.now() + 5 * 60_000,
    };
  },
  onSignedOut() {
    window.dispatchEvent(new CustomEvent("marquee:signed-out"));
  },
});

/** On Unauthenticated, refresh once and retry the call with the new token. */
const retried = new WeakSet<object>();
const retryAfterRefresh: Interceptor = (next) => async (req) => {
  try {
    return await next(req);
  } catch (err) {
    const e = ConnectError.from(err);
    if (e.code !== Code.Unauthenticated || !session.signedIn || retried.has(req)) throw err;
    retried.add(req);
    await session.refresh().catch(() => {
      throw err;
    });
    req.header.set("authorization", `Bearer ${session.tokenNow()}`);
    return next(req);
  }
};

/** Member calls: the selected profile's token when there is one. */
export const api: MarqueeClients = createMarqueeWeb({
  baseUrl,
  useBinaryFormat: BINARY,
  accessToken: () => session.token(),
  interceptors: [retryAfterRefresh],
  timeoutMs: 20_000,
});

/** Member calls that must carry the member token, not the profile's (profile management, account). */
export const memberApi: MarqueeClients = createMarqueeWeb({
  baseUrl,
  useBinaryFormat: BINARY,
  accessToken: () => session.memberToken(),
  interceptors: [retryAfterRefresh],
  timeoutMs: 20_000,
});
