/**
 * Pure rules of a subscription's life: what the member is entitled to now,
 * when a period must roll over, and what a requested change does. No I/O.
 */

import {
  type BillingCycle,
  PlanTier,
  SubscriptionState,
} from "@marquee/sdk/marquee/account/v1/account_service_pb";
import { VideoQuality } from "@marquee/sdk/marquee/common/v1/video_quality_pb";
import { planOf, priceOf, rankOf } from "./plans.js";
import { prorate } from "./proration.js";
import type { SubscriptionRecord } from "./store.js";

export interface Entitlement {
  active: boolean;
  tier: PlanTier;
  maxQuality: VideoQuality;
  maxHeight: number;
  maxStreams: number;
}

const NO_ENTITLEMENT: Entitlement = Object.freeze({
  active: false,
  tier: PlanTier.UNSPECIFIED,
  maxQuality: VideoQuality.UNSPECIFIED,
  maxHeight: 0,
  maxStreams: 0,
});

/** Active or cancelled subscriptions give access until their period ends; nothing else does. */
export function entitlementOf(sub: SubscriptionRecord | undefined, now: number): Entitlement {
  if (sub === undefined) return NO_ENTITLEMENT;
  const live = sub.state === SubscriptionState.ACTIVE || sub.state === SubscriptionState.CANCELLED;
  if (!live || now >= sub.periodEnd) return NO_ENTITLEMENT;
  const plan = planOf(sub.tier);
  return {
    active: true,
    tier: plan.tier,
    maxQuality: plan.maxQuality,
    maxHeight: plan.maxHeight,
    maxStreams: plan.maxStreams,
  };
}

/** True when the current period has ended and the subscription must renew or expire. */
export function needsRollover(sub: SubscriptionRecord, now: number): boolean {
  const live = sub.state === SubscriptionState.ACTIVE || sub.state === SubscriptionState.CANCELLED;
  return live && now >= sub.periodEnd;
}

/** What a requested change of tier and/or cycle does to an active subscription. */
export interface ChangePlan {
  /** The subscription after the change (times and version untouched). */
  next: SubscriptionRecord;
  /** A prorated charge due now (an upgrade), in minor units; 0 when none. */
  chargeMinor: number;
  /** True when anything changed. */
  changed: boolean;
  upgraded: boolean;
}

/**
 * An upgrade applies now: the member pays (new price − old price) of the
 * current cycle for the remaining part of the period (see proration.ts) and a
 * scheduled downgrade is dropped. A downgrade, and any cycle change, apply at
 * the end of the period. Asking for the current tier drops a scheduled
 * downgrade; asking for the current cycle drops a scheduled cycle change.
 * UNSPECIFIED leaves that part alone.
 */
export function planChange(
  sub: SubscriptionRecord,
  tier: PlanTier,
  cycle: BillingCycle,
  now: number,
): ChangePlan {
  const next: SubscriptionRecord = { ...sub };
  let chargeMinor = 0;
  let upgraded = false;
  if (tier !== PlanTier.UNSPECIFIED) {
    const delta = rankOf(tier) - rankOf(sub.tier);
    if (delta > 0) {
      upgraded = true;
      const difference = priceOf(tier, sub.billingCycle) - priceOf(sub.tier, sub.billingCycle);
      chargeMinor = prorate(difference, sub.periodEnd - now, sub.periodEnd - sub.periodStart);
      next.tier = tier;
      next.amountMinor = priceOf(tier, sub.billingCycle);
      next.pendingTier = PlanTier.UNSPECIFIED;
    } else if (delta < 0) {
      next.pendingTier = tier;
    } else {
      next.pendingTier = PlanTier.UNSPECIFIED;
    }
  }
  if (cycle !== 0) next.pendingBillingCycle = cycle === sub.billingCycle ? 0 : cycle;
  const changed =
    next.tier !== sub.tier ||
    next.pendingTier !== sub.pendingTier ||
    next.pendingBillingCycle !== sub.pendingBillingCycle;
  return { next, chargeMinor, changed, upgraded };
}
