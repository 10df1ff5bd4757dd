import { createHash } from "node:crypto";

/**
 * The partner API key `npm start` configures when MARQUEE_PARTNER_API_KEYS is
 * not set, so the SDK examples, buf curl and your own scripts can read the
 * catalog and ingest on a local platform. It is public: it exists only in
 * embedded mode on this machine's loopback gateway; set MARQUEE_PARTNER_API_KEYS
 * (empty for no partner at all) to replace it.
 */
export const LOCAL_PARTNER_API_KEY = "marquee-local-partner-key";

/** The environment with the local partner key when none is configured, and whether it was added. */
export function withLocalPartnerKey(env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; added: boolean } {
  if (env.MARQUEE_PARTNER_API_KEYS !== undefined) return { env, added: false };
  const hash = createHash("sha256").update(LOCAL_PARTNER_API_KEY, "utf8").digest("hex");
  return {
    env: { ...env, MARQUEE_PARTNER_API_KEYS: `local:${hash}:catalog:write,media:write` },
    added: true,
  };
}
