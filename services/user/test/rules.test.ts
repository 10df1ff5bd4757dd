import { MaturityRating } from "@marquee/sdk/marquee/common/v1/maturity_pb";
import test from "ava";
import { dateOfBirthProblem, normaliseEmail, profileCap, profileNameKey } from "../src/rules.js";
import { Throttle } from "../src/throttle.js";

const today = new Date("2026-11-23T10:00:00Z");

test("dates of birth: real calendar dates up to today", (t) => {
  t.is(dateOfBirthProblem("2026-11-23", today), undefined);
  t.is(dateOfBirthProblem("1990-02-28", today), undefined);
  t.is(dateOfBirthProblem("2000-02-29", today), undefined);
  t.is(dateOfBirthProblem("2026-11-24", today), "must not be in the future");
  t.is(dateOfBirthProblem("2001-02-29", today), "must be a real calendar date");
  t.is(dateOfBirthProblem("1990-13-01", today), "must be a real calendar date");
  t.is(dateOfBirthProblem("1850-01-01", today), "must be within the last 150 years");
  t.is(dateOfBirthProblem("90-01-01", today), "must be a date YYYY-MM-DD");
});

test("e-mails and profile names compare trimmed and case-insensitively", (t) => {
  t.is(normaliseEmail("  Ada@Example.COM "), "ada@example.com");
  t.is(profileNameKey(" Kids "), profileNameKey("kids"));
});

test("kids profiles are capped at KIDS; others keep their cap", (t) => {
  t.is(profileCap(true, MaturityRating.UNSPECIFIED), MaturityRating.KIDS);
  t.is(profileCap(true, MaturityRating.ALL), MaturityRating.ALL);
  t.is(typeof profileCap(true, MaturityRating.TEEN), "string");
  t.is(profileCap(false, MaturityRating.UNSPECIFIED), MaturityRating.UNSPECIFIED);
  t.is(profileCap(false, MaturityRating.ADULT), MaturityRating.ADULT);
});

test("throttle: blocks after the limit with a doubling lockout, forgets on success and after the window", (t) => {
  let now = 0;
  const throttle = new Throttle(
    { limit: 3, windowMs: 60_000, lockoutMs: 1_000, maxLockoutMs: 5_000 },
    () => now,
  );
  t.is(throttle.fail("k"), 0);
  t.is(throttle.fail("k"), 0);
  t.is(throttle.retryAfterMs("k"), 0);
  t.is(throttle.fail("k"), 1_000);
  t.is(throttle.retryAfterMs("k"), 1_000);
  now += 400;
  t.is(throttle.retryAfterMs("k"), 600);
  t.is(throttle.fail("k"), 2_000);
  t.is(throttle.fail("k"), 4_000);
  t.is(throttle.fail("k"), 5_000, "capped");
  t.is(throttle.retryAfterMs("other"), 0, "keys are independent");
  throttle.succeed("k");
  t.is(throttle.retryAfterMs("k"), 0);
  for (let i = 0; i < 2; i++) throttle.fail("w");
  now += 61_000;
  t.is(throttle.fail("w"), 0, "old failures left the window");
});
