import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  BillingCycle,
  InvoiceState,
  PlanTier,
  SubscriptionState,
} from "@marquee/sdk/marquee/account/v1/account_service_pb";
import test from "ava";
import { Billing, type SubscriptionEvents } from "../src/billing.js";
import { BillingError } from "../src/billing-error.js";
import { ManualClock } from "../src/clock.js";
import { SimulatedPaymentProvider } from "../src/payments.js";
import { openEmbeddedAccountStore } from "../src/store-embedded.js";
import { T0 } from "./fixtures.js";
import { log } from "./harness.js";

async function setup(t: import("ava").ExecutionContext, events: SubscriptionEvents) {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-billing-"));
  const store = await openEmbeddedAccountStore(dir);
  t.teardown(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const clock = new ManualClock(T0);
  const payments = new SimulatedPaymentProvider();
  return { store, clock, payments, billing: new Billing({ store, payments, clock, events, log }) };
}

const quiet: SubscriptionEvents = { changed: async () => {} };

test("periods a member did not touch renew one by one; a scheduled cycle change re-anchors the periods", async (t) => {
  const { billing, clock, payments, store } = await setup(t, quiet);
  const userId = randomUUID();
  const { subscription } = await billing.create({
    userId,
    tier: PlanTier.BASIC,
    billingCycle: BillingCycle.MONTHLY,
    paymentToken: "tok_visa",
    idempotencyKey: "key-00001",
  });
  await billing.update({ userId, tier: 0, billingCycle: BillingCycle.YEARLY, idempotencyKey: "key-00002" });
  // Three months later: one renewal, yearly from 15 Feb 2026 to 15 Feb 2027.
  clock.set(Date.UTC(2026, 3, 20));
  const sub = await billing.details(userId);
  t.is(sub.billingCycle, BillingCycle.YEARLY);
  t.is(sub.periodStart, subscription.periodEnd);
  t.is(sub.periodEnd, Date.UTC(2027, 1, 15, 12));
  t.is(sub.amountMinor, 7990);
  t.deepEqual(
    payments.charges.map((c) => c.amountMinor),
    [799, 7990],
  );
  // Two monthly periods untouched: both renewals are charged, dated at their boundaries.
  const other = randomUUID();
  clock.set(T0);
  await billing.create({
    userId: other,
    tier: PlanTier.STANDARD,
    billingCycle: BillingCycle.MONTHLY,
    paymentToken: "tok_visa",
    idempotencyKey: "key-00003",
  });
  clock.set(Date.UTC(2026, 2, 20));
  t.true((await billing.entitlement(other)).active);
  const invoices = await store.listInvoices(other, 10);
  t.deepEqual(
    invoices.map((i) => [i.createTime, i.state]),
    [
      [Date.UTC(2026, 2, 15, 12), InvoiceState.PAID],
      [Date.UTC(2026, 1, 15, 12), InvoiceState.PAID],
      [T0, InvoiceState.PAID],
    ],
  );
});

test("a failed publish is retried by the next call on the member, under the same event id", async (t) => {
  const published: string[] = [];
  let failing = true;
  const flaky: SubscriptionEvents = {
    async changed(sub) {
      if (failing) throw new Error("bus unavailable");
      published.push(`${sub.subscriptionId}:${sub.version}`);
    },
  };
  const { billing, store } = await setup(t, flaky);
  const userId = randomUUID();
  const { subscription } = await billing.create({
    userId,
    tier: PlanTier.PREMIUM,
    billingCycle: BillingCycle.MONTHLY,
    paymentToken: "tok_visa",
    idempotencyKey: "key-00001",
  });
  t.is((await store.getSubscription(userId))?.publishedVersion, 0, "the change is stored, not yet announced");
  failing = false;
  await billing.entitlement(userId);
  t.deepEqual(published, [`${subscription.subscriptionId}:1`]);
  t.is((await store.getSubscription(userId))?.publishedVersion, 1);
  await billing.entitlement(userId);
  t.is(published.length, 1, "announced once");
});

test("operations on a missing or ended subscription name what to do", async (t) => {
  const { billing, clock } = await setup(t, quiet);
  const userId = randomUUID();
  const kind = async (p: Promise<unknown>) =>
    ((await t.throwsAsync(p, { instanceOf: BillingError })) as BillingError).kind;
  t.is(await kind(billing.details(userId)), "not_found");
  t.is(await kind(billing.cancel(userId)), "not_found");
  t.is(
    await kind(
      billing.update({ userId, tier: PlanTier.PREMIUM, billingCycle: 0, idempotencyKey: "key-00001" }),
    ),
    "not_found",
  );
  const { subscription } = await billing.create({
    userId,
    tier: PlanTier.BASIC,
    billingCycle: BillingCycle.MONTHLY,
    paymentToken: "tok_visa",
    idempotencyKey: "key-00002",
  });
  await billing.cancel(userId);
  t.is(
    await kind(
      billing.update({ userId, tier: PlanTier.PREMIUM, billingCycle: 0, idempotencyKey: "key-00003" }),
    ),
    "failed_precondition",
  );
  clock.set(subscription.periodEnd);
  t.is((await billing.details(userId)).state, SubscriptionState.EXPIRED);
  t.is(await kind(billing.cancel(userId)), "failed_precondition");
});
