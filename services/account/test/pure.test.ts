import { BillingCycle, PlanTier } from "@marquee/sdk/marquee/account/v1/account_service_pb";
import { VideoQuality } from "@marquee/sdk/marquee/common/v1/video_quality_pb";
import test from "ava";
import { entitlementOf, needsRollover, planChange } from "../src/lifecycle.js";
import { addMonths, periodOf } from "../src/periods.js";
import { PLANS, priceOf } from "../src/plans.js";
import { prorate } from "../src/proration.js";
import { subscriptionRecord, T0 } from "./fixtures.js";

test("plans: three tiers, cheapest first, with the limits the issue states", (t) => {
  t.deepEqual(
    PLANS.map((p) => [p.name, p.maxStreams, p.maxHeight, p.maxQuality]),
    [
      ["Basic", 1, 720, VideoQuality.HD],
      ["Standard", 2, 1080, VideoQuality.FULL_HD],
      ["Premium", 4, 0, VideoQuality.ULTRA_HD],
    ],
  );
  for (const p of PLANS) t.true(p.yearlyMinor < 12 * p.monthlyMinor, `${p.name}: yearly is discounted`);
  t.true(PLANS.every((p, i) => i === 0 || p.monthlyMinor > (PLANS[i - 1]?.monthlyMinor ?? 0)));
});

test("periods count calendar months from the anchor, clamping to short months without drifting", (t) => {
  const jan31 = Date.UTC(2026, 0, 31, 9, 30);
  t.is(addMonths(jan31, 1), Date.UTC(2026, 1, 28, 9, 30));
  t.is(addMonths(jan31, 2), Date.UTC(2026, 2, 31, 9, 30));
  t.is(addMonths(jan31, 13), Date.UTC(2027, 1, 28, 9, 30));
  t.deepEqual(periodOf(jan31, 1, BillingCycle.MONTHLY), {
    start: Date.UTC(2026, 1, 28, 9, 30),
    end: Date.UTC(2026, 2, 31, 9, 30),
  });
  t.deepEqual(periodOf(jan31, 0, BillingCycle.YEARLY), { start: jan31, end: Date.UTC(2027, 0, 31, 9, 30) });
});

test("proration rounds half up in whole minor units", (t) => {
  t.is(prorate(750, 15, 30), 375);
  t.is(prorate(1, 1, 2), 1, "exactly half a cent rounds up");
  t.is(prorate(1, 1, 3), 0, "a third of a cent rounds down");
  t.is(prorate(750, 0, 30), 0);
  t.is(prorate(750, 30, 30), 750);
  t.is(prorate(750, 99, 30), 750, "remaining time beyond the period is capped");
  // Yearly Premium minus Basic over a year of milliseconds stays exact.
  const year = 365 * 86_400_000;
  t.is(prorate(22990 - 7990, year / 4, year), 3750);
  t.throws(() => prorate(-1, 1, 2), { instanceOf: RangeError });
});

test("an upgrade charges the prorated difference now; a downgrade and a cycle change wait", (t) => {
  const sub = subscriptionRecord(); // Standard monthly, Jan 15 → Feb 15 (31 days)
  const half = sub.periodStart + (sub.periodEnd - sub.periodStart) / 2;
  const up = planChange(sub, PlanTier.PREMIUM, BillingCycle.UNSPECIFIED, half);
  t.true(up.upgraded);
  t.is(up.chargeMinor, Math.round((2299 - 1549) / 2));
  t.is(up.next.tier, PlanTier.PREMIUM);
  t.is(up.next.amountMinor, priceOf(PlanTier.PREMIUM, BillingCycle.MONTHLY));

  const down = planChange(sub, PlanTier.BASIC, BillingCycle.YEARLY, half);
  t.false(down.upgraded);
  t.is(down.chargeMinor, 0);
  t.is(down.next.tier, PlanTier.STANDARD, "the tier in force stays until the period ends");
  t.is(down.next.pendingTier, PlanTier.BASIC);
  t.is(down.next.pendingBillingCycle, BillingCycle.YEARLY);

  const keep = planChange(down.next, PlanTier.STANDARD, BillingCycle.MONTHLY, half);
  t.is(keep.next.pendingTier, PlanTier.UNSPECIFIED, "asking for the current tier drops the downgrade");
  t.is(keep.next.pendingBillingCycle, BillingCycle.UNSPECIFIED);
  t.true(keep.changed);
  t.false(planChange(sub, PlanTier.STANDARD, BillingCycle.MONTHLY, half).changed);
});

test("entitlement lasts until the period ends, for active and cancelled subscriptions only", (t) => {
  const sub = subscriptionRecord();
  t.true(entitlementOf(sub, T0).active);
  t.is(entitlementOf(sub, T0).maxHeight, 1080);
  t.false(entitlementOf(sub, sub.periodEnd).active);
  t.false(entitlementOf(undefined, T0).active);
  t.true(needsRollover(sub, sub.periodEnd));
  t.false(needsRollover(sub, sub.periodEnd - 1));
});
