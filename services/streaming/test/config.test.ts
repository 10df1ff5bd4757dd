import { ConfigError } from "@marquee/kit";
import test from "ava";
import { loadStreamingConfig } from "../src/config.js";

test("the report interval must leave a slot alive through one lost report, and not be shorter than a reading", (t) => {
  const load = (env: Record<string, string>) => () =>
    loadStreamingConfig(env, "external", "/tmp/marquee-cfg");
  t.is(load({})().MARQUEE_HEARTBEAT_REPORT_INTERVAL_MS, 20_000);
  const tooLong = t.throws(
    load({ MARQUEE_HEARTBEAT_REPORT_INTERVAL_MS: "30000", MARQUEE_STREAM_SLOT_LEASE_MS: "45000" }),
  );
  t.true(tooLong instanceof ConfigError);
  t.regex(tooLong?.message ?? "", /MARQUEE_HEARTBEAT_REPORT_INTERVAL_MS=30000: must be at most half/);
  const tooShort = t.throws(
    load({ MARQUEE_HEARTBEAT_INTERVAL_MS: "15000", MARQUEE_HEARTBEAT_REPORT_INTERVAL_MS: "10000" }),
  );
  t.regex(tooShort?.message ?? "", /MARQUEE_HEARTBEAT_INTERVAL_MS=15000: must not exceed/);
});

test("previous media signing secrets are a comma-separated list of long enough secrets", (t) => {
  const load = (env: Record<string, string>) => () =>
    loadStreamingConfig(env, "external", "/tmp/marquee-cfg");
  t.deepEqual(load({})().MARQUEE_MEDIA_SIGNING_PREVIOUS_SECRETS, []);
  t.deepEqual(
    load({ MARQUEE_MEDIA_SIGNING_PREVIOUS_SECRETS: " first-old-secret-0123 , second-old-secret-0123" })()
      .MARQUEE_MEDIA_SIGNING_PREVIOUS_SECRETS,
    ["first-old-secret-0123", "second-old-secret-0123"],
  );
  const short = t.throws(load({ MARQUEE_MEDIA_SIGNING_PREVIOUS_SECRETS: "first-old-secret-0123,short" }));
  t.regex(short?.message ?? "", /MARQUEE_MEDIA_SIGNING_PREVIOUS_SECRETS.*at least 16 characters/s);
});

test("the media session check interval, the grace a stop on another replica gets, is seconds", (t) => {
  const load = (env: Record<string, string>) => () =>
    loadStreamingConfig(env, "external", "/tmp/marquee-cfg");
  t.is(load({})().MARQUEE_MEDIA_SESSION_CHECK_MS, 5_000);
  t.is(load({ MARQUEE_MEDIA_SESSION_CHECK_MS: "1500" })().MARQUEE_MEDIA_SESSION_CHECK_MS, 1_500);
  const long = t.throws(load({ MARQUEE_MEDIA_SESSION_CHECK_MS: "60000" }));
  t.regex(long?.message ?? "", /MARQUEE_MEDIA_SESSION_CHECK_MS.*at most 30000/s);
  t.throws(load({ MARQUEE_MEDIA_SESSION_CHECK_MS: "0" }));
});
