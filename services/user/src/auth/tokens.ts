import { createHash, randomBytes, randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";
import type { SigningKeyStore } from "../store.js";

/**
 * Access tokens: EdDSA (Ed25519) JWTs the gateway verifies with the public
 * key from GetSigningKeys. The key pair is kept in the store, so a restart
 * (or another instance) signs with the same key and issued tokens stay
 * valid; the header names it by `kid`.
 *
 * Claims: iss "marquee-user", aud "marquee", sub = user id, sid = session id,
 * cc = the member's country (ISO 3166-1 alpha-2, as it was when the token
 * was issued), and after SelectProfile pid = profile id, mc = maturity cap
 * (the marquee.common.v1.MaturityRating number; absent = no cap); rol =
 * the member's roles ("operator" for the addresses in MARQUEE_OPERATOR_EMAILS;
 * absent = none).
 */
const TOKEN_ISSUER = "marquee-user";
const TOKEN_AUDIENCE = "marquee";
const TOKEN_ALG = "EdDSA";

export interface AccessClaims {
  userId: string;
  sessionId: string;
  country: string;
  roles: string[];
  profileId?: string;
  maturityCap?: number;
}

export class TokenIssuer {
  readonly #privateKey: CryptoKey;
  readonly #kid: string;
  readonly #publicJwk: JWK;
  readonly #ttlMs: number;

  private constructor(privateKey: CryptoKey, kid: string, publicJwk: JWK, ttlMs: number) {
    this.#privateKey = privateKey;
    this.#kid = kid;
    this.#publicJwk = publicJwk;
    this.#ttlMs = ttlMs;
  }

  /** Loads the stored key pair, or creates and stores one (the first instance to store it wins). */
  static async open(store: SigningKeyStore, ttlMs: number): Promise<TokenIssuer> {
    const { privateKey, publicKey } = await generateKeyPair(TOKEN_ALG, { crv: "Ed25519", extractable: true });
    const kid = randomUUID();
    const stored = await store.signingKey({
      kid,
      privateJwk: JSON.stringify(await exportJWK(privateKey)),
      publicJwk: JSON.stringify(await exportJWK(publicKey)),
      createTime: new Date(),
    });
    const key = await importJWK(JSON.parse(stored.privateJwk) as JWK, TOKEN_ALG);
    const publicJwk = {
      ...(JSON.parse(stored.publicJwk) as JWK),
      kid: stored.kid,
      alg: TOKEN_ALG,
      use: "sig",
    };
    return new TokenIssuer(key as CryptoKey, stored.kid, publicJwk, ttlMs);
  }

  async accessToken(claims: AccessClaims, now = Date.now()): Promise<{ token: string; expireTime: Date }> {
    const expireTime = new Date(now + this.#ttlMs);
    const payload: Record<string, unknown> = { sid: claims.sessionId };
    if (claims.country !== "") payload.cc = claims.country;
    if (claims.roles.length > 0) payload.rol = claims.roles;
    if (claims.profileId !== undefined) payload.pid = claims.profileId;
    if (claims.maturityCap !== undefined && claims.maturityCap > 0) payload.mc = claims.maturityCap;
    const token = await new SignJWT(payload)
      .setProtectedHeader({ alg: TOKEN_ALG, kid: this.#kid, typ: "JWT" })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setSubject(claims.userId)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(expireTime.getTime() / 1000))
      .sign(this.#privateKey);
    return { token, expireTime };
  }

  /** The JSON Web Key Set of the public keys (RFC 7517). */
  jwks(): string {
    return JSON.stringify({ keys: [this.#publicJwk] });
  }
}

/**
 * Refresh tokens are opaque: "<session id>.<256 random bits>". Only the
 * sha256 of the whole token is stored; the session id lets the service find
 * the session without a secondary index.
 */
export function newRefreshToken(sessionId: string): { token: string; hash: string } {
  const token = `${sessionId}.${randomBytes(32).toString("base64url")}`;
  return { token, hash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** The session id a refresh token names, or undefined when it is not one of ours. */
export function sessionOfRefreshToken(token: string): string | undefined {
  const match = /^([0-9a-f-]{36})\.[A-Za-z0-9_-]{43}$/.exec(token);
  return match?.[1];
}
