import type { Interceptor } from "@connectrpc/connect";

/**
 * A member's access token, or a function returning the current one. The
 * function is called before every call, so it can hand out a refreshed token
 * (rotation) without recreating the client; returning "" sends no token.
 */
export type TokenSource = string | (() => string | Promise<string>);

/** Credentials sent on every call. */
export interface Credentials {
  /** Member access token, sent as `Authorization: Bearer <token>`. */
  accessToken?: TokenSource | undefined;
  /** Partner API key, sent as `x-api-key: <key>`. */
  apiKey?: string | undefined;
}

/** Header carrying a partner's API key. */
export const API_KEY_HEADER = "x-api-key";

/**
 * An interceptor that sets `Authorization: Bearer <token>` and/or
 * `x-api-key: <key>` on every call. A header the call sets itself (through
 * the `headers` call option) is left alone, and the token function is then
 * not called.
 */
export function authInterceptor(credentials: Credentials): Interceptor {
  const { accessToken, apiKey } = credentials;
  return (next) => async (req) => {
    if (apiKey !== undefined && apiKey !== "" && !req.header.has(API_KEY_HEADER)) {
      req.header.set(API_KEY_HEADER, apiKey);
    }
    if (accessToken !== undefined && !req.header.has("authorization")) {
      const token = typeof accessToken === "function" ? await accessToken() : accessToken;
      if (token !== "") req.header.set("authorization", `Bearer ${token}`);
    }
    return next(req);
  };
}
