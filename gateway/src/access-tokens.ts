import { Code, ConnectError } from "@connectrpc/connect";
import { type Caller, OPERATOR_ROLE } from "@marquee/kit";
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTPayload, jwtVerify } from "jose";

/** What the user service puts in its access tokens (see services/user/src/auth/tokens.ts). */
const ISSUER = "marquee-user";
const AUDIENCE = "marquee";
const ALGORITHMS = ["EdDSA", "ES256"];

export interface VerifierOptions {
  /** The JWKS JSON of the user service (GetSigningKeys). */
  fetchJwks: () => Promise<string>;
  /** Whether the session is still open (CheckSession). */
  checkSession: (sessionId: string, userId: string) => Promise<boolean>;
  /** How long a session's answer is reused. */
  sessionCacheMs: number;
  /** Shortest time between two key-set fetches caused by unknown key ids. */
  jwksRefetchMs: number;
}

export interface Verified {
  caller: Caller;
  sessionId: string;
  /** The member's country from the token (ISO 3166-1 alpha-2), or "". */
  country: string;
}

/** Verified tokens remembered at most (then forgotten all at once: they verify again). */
const VERIFIED_CACHE_SIZE = 100_000;

const unauthenticated = (message: string) => new ConnectError(message, Code.Unauthenticated);

/**
 * Verifies member access tokens: signature against the user service's key set
 * (fetched over gRPC, cached, fetched again when a token names an unknown key
 * id, at most once per jwksRefetchMs), issuer, audience and expiry; then that
 * the token's session is still open.
 *
 * Revocation: access tokens live 15 minutes, too long to ignore a logout, so
 * the gateway asks the user service whether the session is open
 * (CheckSession) and reuses the answer for sessionCacheMs (default 2 s). We
 * chose this over revocation events because it needs no bus in the gateway,
 * works the same in embedded and mesh mode, and bounds the window in which a
 * logged-out token still works to the cache time on every gateway instance;
 * the cost is one cheap lookup per session per cache period.
 */
export class AccessTokenVerifier {
  readonly #opts: VerifierOptions;
  #keys: ReturnType<typeof createLocalJWKSet> | undefined;
  #loading: Promise<ReturnType<typeof createLocalJWKSet>> | undefined;
  #lastFetch = 0;
  readonly #sessions = new Map<string, { active: boolean; until: number }>();
  /** Tokens whose signature, issuer and audience checked out, until they expire. */
  readonly #verified = new Map<string, { payload: JWTPayload; expiresMs: number }>();

  constructor(opts: VerifierOptions) {
    this.#opts = opts;
  }

  async #keySet(refetch: boolean): Promise<ReturnType<typeof createLocalJWKSet>> {
    if (this.#keys !== undefined && !refetch) return this.#keys;
    this.#loading ??= (async () => {
      try {
        this.#lastFetch = Date.now();
        const jwks = JSON.parse(await this.#opts.fetchJwks()) as JSONWebKeySet;
        this.#keys = createLocalJWKSet(jwks);
        return this.#keys;
      } catch (err) {
        throw new ConnectError(
          "cannot check sign-in right now (signing keys unavailable); try again",
          Code.Unavailable,
          undefined,
          undefined,
          err,
        );
      } finally {
        this.#loading = undefined;
      }
    })();
    return this.#loading;
  }

  /**
   * A client sends the same token with every call for up to 15 minutes, and an
   * EdDSA verification cost more CPU than the rest of a heartbeat's trip through
   * the gateway (measured), so a verified token is remembered until it expires;
   * expiry is still checked on every call, and the session check is separate.
   */
  async #verifiedPayload(token: string): Promise<JWTPayload> {
    const hit = this.#verified.get(token);
    if (hit !== undefined && hit.expiresMs > Date.now()) return hit.payload;
    const { payload } = await this.#verifySignature(token);
    if (typeof payload.exp === "number") {
      if (this.#verified.size >= VERIFIED_CACHE_SIZE) this.#verified.clear();
      this.#verified.set(token, { payload, expiresMs: payload.exp * 1000 });
    }
    return payload;
  }

  async #verifySignature(token: string) {
    const options = { issuer: ISSUER, audience: AUDIENCE, algorithms: ALGORITHMS };
    try {
      return await jwtVerify(token, await this.#keySet(false), options);
    } catch (err) {
      const unknownKey = err instanceof errors.JWKSNoMatchingKey;
      if (unknownKey && Date.now() - this.#lastFetch >= this.#opts.jwksRefetchMs) {
        // The user service may have a new key: look once more before refusing.
        return jwtVerify(token, await this.#keySet(true), options);
      }
      throw err;
    }
  }

  async verify(token: string): Promise<Verified> {
    let payload: JWTPayload;
    try {
      payload = await this.#verifiedPayload(token);
    } catch (err) {
      if (err instanceof ConnectError) throw err;
      if (err instanceof errors.JWTExpired) {
        throw unauthenticated("the access token has expired; refresh the session (RefreshSession)");
      }
      throw unauthenticated("the access token is not valid; sign in again");
    }
    const userId = payload.sub;
    const sessionId = payload.sid;
    if (typeof userId !== "string" || typeof sessionId !== "string") {
      throw unauthenticated("the access token is not valid; sign in again");
    }
    if (!(await this.#sessionActive(sessionId, userId))) {
      throw unauthenticated("this session has ended (signed out or password changed); sign in again");
    }
    const caller: Caller = { kind: "member", userId, scopes: [] };
    if (typeof payload.pid === "string") caller.profileId = payload.pid;
    if (typeof payload.mc === "number") caller.maturityCap = payload.mc;
    if (Array.isArray(payload.rol) && payload.rol.includes(OPERATOR_ROLE)) caller.roles = [OPERATOR_ROLE];
    const country = typeof payload.cc === "string" && /^[A-Z]{2}$/.test(payload.cc) ? payload.cc : "";
    return { caller, sessionId, country };
  }

  async #sessionActive(sessionId: string, userId: string): Promise<boolean> {
    const key = `${sessionId}/${userId}`;
    const now = Date.now();
    const cached = this.#sessions.get(key);
    if (cached !== undefined && cached.until > now) return cached.active;
    let active: boolean;
    try {
      active = await this.#opts.checkSession(sessionId, userId);
    } catch (err) {
      throw new ConnectError(
        "cannot check sign-in right now; try again",
        Code.Unavailable,
        undefined,
        undefined,
        err,
      );
    }
    if (this.#opts.sessionCacheMs > 0) {
      if (this.#sessions.size > 100_000) this.#sessions.clear();
      this.#sessions.set(key, { active, until: now + this.#opts.sessionCacheMs });
    }
    return active;
  }
}
