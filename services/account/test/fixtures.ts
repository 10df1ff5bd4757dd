import { randomUUID } from "node:crypto";
import {
  BillingCycle,
  InvoiceState,
  PlanTier,
  SubscriptionState,
} from "@marquee/sdk/marquee/account/v1/account_service_pb";
import type { InvoiceRecord, SubscriptionRecord } from "../src/store.js";

export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

export function subscriptionRecord(
  userId = randomUUID(),
  over: Partial<SubscriptionRecord> = {},
): SubscriptionRecord {
  return {
    userId,
    subscriptionId: randomUUID(),
    tier: PlanTier.STANDARD,
    billingCycle: BillingCycle.MONTHLY,
    state: SubscriptionState.ACTIVE,
    anchorTime: T0,
    periodIndex: 0,
    periodStart: T0,
    periodEnd: Date.UTC(2026, 1, 15, 12, 0, 0),
    pendingTier: PlanTier.UNSPECIFIED,
    pendingBillingCycle: BillingCycle.UNSPECIFIED,
    amountMinor: 1549,
    currency: "USD",
    paymentToken: "tok_visa",
    createTime: T0,
    updateTime: T0,
    version: 1,
    publishedVersion: 0,
    ...over,
  };
}

export function invoiceRecord(
  userId: string,
  createTime: number,
  over: Partial<InvoiceRecord> = {},
): InvoiceRecord {
  return {
    userId,
    invoiceId: randomUUID(),
    subscriptionId: randomUUID(),
    amountMinor: 1549,
    currency: "USD",
    state: InvoiceState.PAID,
    description: "Standard, monthly",
    periodStart: createTime,
    periodEnd: createTime + 30 * 86_400_000,
    createTime,
    ...over,
  };
}
