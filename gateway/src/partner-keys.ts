import { createHash } from "node:crypto";

/** A partner API key as configured: only its sha256 is known to the gateway. */
export interface PartnerKey {
  partnerId: string;
  scopes: string[];
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/**
 * Parses MARQUEE_PARTNER_API_KEYS: entries separated by ";", each
 * "<partner id>:<sha256 hex of the key>:<scope>,<scope>..." (scopes may be
 * empty), e.g. "acme:9f86d0…:catalog:write,media:write". Plaintext keys are
 * never configured; hash one with
 * `node -e 'console.log(require("crypto").createHash("sha256").update(process.argv[1]).digest("hex"))' <key>`.
 * Throws a message naming the bad entry.
 */
export function parsePartnerKeys(value: string): Map<string, PartnerKey> {
  const keys = new Map<string, PartnerKey>();
  for (const raw of value.split(";")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const match = /^([A-Za-z0-9_.-]{1,64}):([0-9a-f]{64}):(.*)$/.exec(entry);
    if (!match) {
      throw new Error(
        `entry "${entry.slice(0, 80)}" is not <partner id>:<sha256 hex>:<scopes, comma-separated>`,
      );
    }
    const [, partnerId, hash, scopeList] = match as unknown as [string, string, string, string];
    const scopes = scopeList
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    if (scopes.some((s) => !/^[a-z][a-z0-9_.:-]{0,63}$/.test(s))) {
      throw new Error(`entry for partner "${partnerId}" has a malformed scope`);
    }
    if (keys.has(hash)) throw new Error(`the key hash of partner "${partnerId}" is configured twice`);
    keys.set(hash, { partnerId, scopes });
  }
  return keys;
}
