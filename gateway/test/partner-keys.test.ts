import test from "ava";
import { hashApiKey, parsePartnerKeys } from "../src/partner-keys.js";
import { startGateway } from "../src/start.js";

const h = hashApiKey("secret");

test("partner keys are configured as hashes with a partner id and scopes", (t) => {
  const keys = parsePartnerKeys(` acme:${h}:catalog:write, media:write ; globex:${hashApiKey("other")}: `);
  t.deepEqual(keys.get(h), { partnerId: "acme", scopes: ["catalog:write", "media:write"] });
  t.deepEqual(keys.get(hashApiKey("other")), { partnerId: "globex", scopes: [] });
  t.is(parsePartnerKeys("").size, 0);
});

test("a plaintext key, a malformed hash or a duplicate stops the configuration", (t) => {
  t.throws(() => parsePartnerKeys("acme:secret:catalog:write"), { message: /sha256/ });
  t.throws(() => parsePartnerKeys(`acme:${h.toUpperCase()}:`));
  t.throws(() => parsePartnerKeys(`a:${h}:;b:${h}:`), { message: /twice/ });
  t.throws(() => parsePartnerKeys(`a:${h}:Bad Scope`), { message: /scope/ });
});

test("the gateway refuses to start with a bad MARQUEE_PARTNER_API_KEYS, naming it", async (t) => {
  const err = await t.throwsAsync(
    startGateway({
      MARQUEE_GATEWAY_PORT: "0",
      MARQUEE_LOG_LEVEL: "silent",
      MARQUEE_PARTNER_API_KEYS: "acme:plaintext:",
    }),
  );
  t.is(err?.name, "ConfigError");
  t.regex(err?.message ?? "", /MARQUEE_PARTNER_API_KEYS/);
});
