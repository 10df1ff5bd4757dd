import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  type Invoice,
  InvoiceSchema,
  type Money,
  MoneySchema,
  type Plan,
  PlanSchema,
  type Subscription,
  SubscriptionSchema,
} from "@marquee/sdk/marquee/account/v1/account_service_pb";
import { CURRENCY, type PlanSpec } from "./plans.js";
import type { InvoiceRecord, SubscriptionRecord } from "./store.js";

/** Records of the store to messages of the API. */
function money(amountMinor: number, currencyCode = CURRENCY): Money {
  return create(MoneySchema, { currencyCode, amountMinor: BigInt(amountMinor) });
}

export function planMessage(p: PlanSpec): Plan {
  return create(PlanSchema, {
    tier: p.tier,
    name: p.name,
    maxStreams: p.maxStreams,
    maxQuality: p.maxQuality,
    maxHeight: p.maxHeight,
    monthlyPrice: money(p.monthlyMinor),
    yearlyPrice: money(p.yearlyMinor),
  });
}

export function subscriptionMessage(s: SubscriptionRecord): Subscription {
  return create(SubscriptionSchema, {
    subscriptionId: s.subscriptionId,
    userId: s.userId,
    tier: s.tier,
    billingCycle: s.billingCycle,
    state: s.state,
    currentPeriodStartTime: timestampFromMs(s.periodStart),
    currentPeriodEndTime: timestampFromMs(s.periodEnd),
    pendingTier: s.pendingTier,
    pendingBillingCycle: s.pendingBillingCycle,
    billingAmount: money(s.amountMinor, s.currency),
    createTime: timestampFromMs(s.createTime),
  });
}

export function invoiceMessage(i: InvoiceRecord): Invoice {
  return create(InvoiceSchema, {
    invoiceId: i.invoiceId,
    subscriptionId: i.subscriptionId,
    amount: money(i.amountMinor, i.currency),
    state: i.state,
    description: i.description,
    periodStartTime: timestampFromMs(i.periodStart),
    periodEndTime: timestampFromMs(i.periodEnd),
    createTime: timestampFromMs(i.createTime),
  });
}
