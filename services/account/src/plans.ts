/**
 * The plans on offer. Pure data and rules: no RPC types beyond the generated
 * enums. Prices are in minor units (cents) of one currency; a yearly plan
 * costs ten months (two months free).
 */

import { BillingCycle, PlanTier } from "@marquee/sdk/marquee/account/v1/account_service_pb";
import { VideoQuality } from "@marquee/sdk/marquee/common/v1/video_quality_pb";

export const CURRENCY = "USD";

export interface PlanSpec {
  tier: PlanTier;
  name: string;
  maxStreams: number;
  maxQuality: VideoQuality;
  /** Highest rendition height in lines; 0 means no limit. */
  maxHeight: number;
  monthlyMinor: number;
  yearlyMinor: number;
}

export const PLANS: readonly PlanSpec[] = [
  {
    tier: PlanTier.BASIC,
    name: "Basic",
    maxStreams: 1,
    maxQuality: VideoQuality.HD,
    maxHeight: 720,
    monthlyMinor: 799,
    yearlyMinor: 7990,
  },
  {
    tier: PlanTier.STANDARD,
    name: "Standard",
    maxStreams: 2,
    maxQuality: VideoQuality.FULL_HD,
    maxHeight: 1080,
    monthlyMinor: 1549,
    yearlyMinor: 15490,
  },
  {
    tier: PlanTier.PREMIUM,
    name: "Premium",
    maxStreams: 4,
    maxQuality: VideoQuality.ULTRA_HD,
    maxHeight: 0,
    monthlyMinor: 2299,
    yearlyMinor: 22990,
  },
];

/** The plan of a tier; throws for a tier that is not on offer (validation keeps those out). */
export function planOf(tier: PlanTier): PlanSpec {
  const plan = PLANS.find((p) => p.tier === tier);
  if (plan === undefined) throw new RangeError(`no plan for tier ${tier}`);
  return plan;
}

export function priceOf(tier: PlanTier, cycle: BillingCycle): number {
  const plan = planOf(tier);
  return cycle === BillingCycle.YEARLY ? plan.yearlyMinor : plan.monthlyMinor;
}

/** Tiers are ordered by what they give: a higher rank is an upgrade. */
export function rankOf(tier: PlanTier): number {
  return PLANS.findIndex((p) => p.tier === tier);
}

export function cycleName(cycle: BillingCycle): string {
  return cycle === BillingCycle.YEARLY ? "yearly" : "monthly";
}
