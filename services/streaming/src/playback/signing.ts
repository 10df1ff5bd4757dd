/**
 * Signed media URLs. A session's manifest URL carries a token in its path,
 * /media/s/<token>/<assetId>/manifest.mpd, and the manifest's relative segment
 * URLs inherit it, so every manifest and segment request is checked. The token
 * is an HMAC over the path prefix (the asset), the expiry, the session id and
 * the session's height cap: change any of them and it no longer verifies.
 *
 * A token has exactly one spelling, the one manifestPath writes: a lowercase
 * UUID, decimal integers without sign, exponent or leading zeros, and the MAC
 * as 43 characters of unpadded base64url compared as text. Anything else is
 * refused before the MAC is looked at, so no two URLs carry the same grant.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export interface MediaGrant {
  sessionId: string;
  assetId: string;
  /** Unix seconds after which the URL is refused. */
  expires: number;
  /** Tallest rendition the session may fetch (0: no limit). */
  maxHeight: number;
}

export const SIGNED_PREFIX = "/media/s/";
const ASSET_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** How manifestPath writes a number: no sign, exponent, hex, spaces or leading zeros, at most 15 digits. */
const DECIMAL = /^(?:0|[1-9][0-9]{0,14})$/;
/** An HMAC-SHA-256 in base64url without padding. */
const MAC = /^[A-Za-z0-9_-]{43}$/;
/** One path segment of a media file: no dots first, no slashes, nothing encoded. */
export const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/;

export type Verdict =
  | { ok: true; grant: MediaGrant; file: string }
  | { ok: false; status: 403 | 404; reason: string };

/**
 * Signs with one secret and accepts URLs signed with it or with any of the
 * previous ones, so a secret can be rotated without cutting off playback:
 * keep the old one among the previous until the URLs it signed have expired.
 */
export class MediaSigner {
  readonly #keys: Buffer[];

  constructor(secret: string, previous: readonly string[] = []) {
    for (const s of [secret, ...previous]) {
      if (s.length < 16) throw new Error("a media signing secret must be at least 16 characters");
    }
    this.#keys = [secret, ...previous].map((s) => Buffer.from(s, "utf8"));
  }

  #mac(g: MediaGrant, key = this.#keys[0] as Buffer): Buffer {
    return createHmac("sha256", key)
      .update(`/${g.assetId}/\n${g.expires}\n${g.sessionId}\n${g.maxHeight}`)
      .digest();
  }

  /** The path of the session's manifest: /media/s/<token>/<assetId>/manifest.mpd. */
  manifestPath(g: MediaGrant): string {
    if (!ASSET_ID.test(g.assetId) || !SESSION_ID.test(g.sessionId))
      throw new Error("bad asset or session id");
    if (!DECIMAL.test(String(g.expires)) || !DECIMAL.test(String(g.maxHeight)))
      throw new Error("expiry and height cap must be non-negative integers of at most 15 digits");
    const token = `${g.sessionId}.${g.expires}.${g.maxHeight}.${this.#mac(g).toString("base64url")}`;
    return `${SIGNED_PREFIX}${token}/${g.assetId}/manifest.mpd`;
  }

  /** Checks a request path (raw, not decoded) against its signature at `nowSeconds`. */
  verify(rawPath: string, nowSeconds: number): Verdict {
    const path = rawPath.split("?")[0] as string;
    if (!path.startsWith(SIGNED_PREFIX)) return { ok: false, status: 404, reason: "not a signed media path" };
    const parts = path.slice(SIGNED_PREFIX.length).split("/");
    const [token, assetId, file] = parts;
    if (parts.length !== 3 || token === undefined || assetId === undefined || file === undefined) {
      return { ok: false, status: 404, reason: "no such media path" };
    }
    if (!ASSET_ID.test(assetId) || !FILE_NAME.test(file)) {
      return { ok: false, status: 404, reason: "no such media file" };
    }
    const [sessionId, expiresText, heightText, mac, ...rest] = token.split(".");
    if (
      rest.length > 0 ||
      sessionId === undefined ||
      expiresText === undefined ||
      heightText === undefined ||
      mac === undefined ||
      !SESSION_ID.test(sessionId) ||
      !DECIMAL.test(expiresText) ||
      !DECIMAL.test(heightText) ||
      !MAC.test(mac)
    ) {
      return { ok: false, status: 403, reason: "malformed signature" };
    }
    const grant: MediaGrant = {
      sessionId,
      assetId,
      expires: Number(expiresText),
      maxHeight: Number(heightText),
    };
    // Compared as text: base64url decoding would let several spellings (a different last
    // character, trailing junk) stand for the same bytes.
    const given = Buffer.from(mac, "latin1");
    const signedHere = this.#keys.some((key) =>
      timingSafeEqual(given, Buffer.from(this.#mac(grant, key).toString("base64url"), "latin1")),
    );
    if (!signedHere) return { ok: false, status: 403, reason: "bad signature" };
    if (grant.expires <= nowSeconds) return { ok: false, status: 403, reason: "signature expired" };
    return { ok: true, grant, file };
  }
}
