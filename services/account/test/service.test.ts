import { randomUUID } from "node:crypto";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { waitFor } from "@marquee/kit/testing";
import {
  BillingCycle,
  InvoiceState,
  PlanTier,
  SubscriptionState,
} from "@marquee/sdk/marquee/account/v1/account_service_pb";
import { VideoQuality } from "@marquee/sdk/marquee/common/v1/video_quality_pb";
import {
  type SubscriptionChanged,
  SubscriptionChangedSchema,
  UserDeletedSchema,
} from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import anyTest, { type TestFn } from "ava";
import { rejects } from "./expect.js";
import { type Harness, internal, member, startEmbeddedHarness } from "./harness.js";

const test = anyTest as TestFn<{ h: Harness }>;
test.beforeEach(async (t) => {
  t.context.h = await startEmbeddedHarness();
});
test.afterEach.always(async (t) => {
  await t.context.h.close();
});

const DAY = 86_400_000;
const key = () => `key-${randomUUID()}`;
const ms = (ts: Parameters<typeof timestampDate>[0] | undefined) =>
  ts ? timestampDate(ts).getTime() : Number.NaN;

test("ListPlans is public and lists Basic, Standard and Premium with prices", async (t) => {
  const { plans } = await t.context.h.client().listPlans({});
  t.deepEqual(
    plans.map((p) => [p.tier, p.maxStreams, p.maxHeight, p.maxQuality, p.monthlyPrice?.currencyCode]),
    [
      [PlanTier.BASIC, 1, 720, VideoQuality.HD, "USD"],
      [PlanTier.STANDARD, 2, 1080, VideoQuality.FULL_HD, "USD"],
      [PlanTier.PREMIUM, 4, 0, VideoQuality.ULTRA_HD, "USD"],
    ],
  );
  for (const p of plans)
    t.true((p.yearlyPrice?.amountMinor ?? 0n) < 12n * (p.monthlyPrice?.amountMinor ?? 0n));
});

test("lifecycle: subscribe, prorated upgrade, scheduled downgrade, paged invoices, renewal, cancel, end of access", async (t) => {
  const { h } = t.context;
  const userId = randomUUID();
  const me = h.client(member(userId));
  const streaming = h.client(internal);
  const events: SubscriptionChanged[] = [];
  const msgIds: string[] = [];
  const watch = await h.bus.consume({
    stream: "DOMAIN",
    durable: "test-watch",
    filter: "subscription.changed",
    handler: async (e) => {
      events.push(fromBinary(SubscriptionChangedSchema, e.data));
      msgIds.push(e.msgId);
    },
  });
  t.teardown(() => watch.stop());

  // Subscribe: Standard, monthly, on 15 Jan 12:00 UTC; the period runs to 15 Feb (31 days).
  const created = await me.createSubscription({
    userId,
    tier: PlanTier.STANDARD,
    billingCycle: BillingCycle.MONTHLY,
    paymentToken: "tok_visa",
    idempotencyKey: key(),
  });
  const sub = created.subscription;
  t.is(sub?.state, SubscriptionState.ACTIVE);
  t.is(created.invoice?.amount?.amountMinor, 1549n);
  t.is(created.invoice?.state, InvoiceState.PAID);
  const periodEnd = ms(sub?.currentPeriodEndTime);
  t.is(periodEnd - ms(sub?.currentPeriodStartTime), 31 * DAY);
  let ent = await streaming.getEntitlement({ userId });
  t.like(ent, { active: true, tier: PlanTier.STANDARD, maxHeight: 1080, maxStreams: 2 });

  // Ten days later, upgrade to Premium: (2299 − 1549) × 21/31 = 508.06 → 508 cents.
  h.clock.advance(10 * DAY);
  const upgraded = await me.updateSubscription({ userId, tier: PlanTier.PREMIUM, idempotencyKey: key() });
  t.is(upgraded.subscription?.tier, PlanTier.PREMIUM);
  t.is(upgraded.invoice?.amount?.amountMinor, 508n);
  t.is(upgraded.invoice?.description, "Upgrade to Premium (prorated)");
  t.is(ms(upgraded.invoice?.periodEndTime), periodEnd);
  t.is(upgraded.subscription?.billingAmount?.amountMinor, 2299n);
  ent = await streaming.getEntitlement({ userId });
  t.like(ent, {
    active: true,
    tier: PlanTier.PREMIUM,
    maxQuality: VideoQuality.ULTRA_HD,
    maxHeight: 0,
    maxStreams: 4,
  });

  // Downgrade to Basic: scheduled for the period end, nothing charged now.
  h.clock.advance(DAY);
  const downgraded = await me.updateSubscription({ userId, tier: PlanTier.BASIC, idempotencyKey: key() });
  t.is(downgraded.invoice, undefined);
  t.is(downgraded.subscription?.tier, PlanTier.PREMIUM);
  t.is(downgraded.subscription?.pendingTier, PlanTier.BASIC);
  t.is((await streaming.getEntitlement({ userId })).tier, PlanTier.PREMIUM);
  t.is(h.payments.charges.length, 2);

  // Invoices, newest first, one per page.
  const page1 = await me.getBillingHistory({ userId, pageSize: 1 });
  t.is(page1.invoices[0]?.amount?.amountMinor, 508n);
  t.not(page1.nextPageToken, "");
  const page2 = await me.getBillingHistory({ userId, pageSize: 1, pageToken: page1.nextPageToken });
  t.is(page2.invoices[0]?.amount?.amountMinor, 1549n);
  t.is(page2.nextPageToken, "", "the second page is the last");

  // Past the period end the subscription renews on Basic when next read.
  h.clock.set(periodEnd + 1);
  const renewed = await me.getSubscriptionDetails({ userId });
  t.is(renewed.subscription?.tier, PlanTier.BASIC);
  t.is(renewed.subscription?.pendingTier, PlanTier.UNSPECIFIED);
  t.is(ms(renewed.subscription?.currentPeriodStartTime), periodEnd);
  t.is(renewed.plan?.name, "Basic");
  t.like(await streaming.getEntitlement({ userId }), { active: true, tier: PlanTier.BASIC, maxHeight: 720 });
  t.is(h.payments.charges.length, 3);
  t.is(h.payments.charges[2]?.amountMinor, 799);

  // Cancel: access stays until the period ends, then stops; nothing more is charged.
  const cancelled = await me.cancelSubscription({ userId });
  t.is(cancelled.subscription?.state, SubscriptionState.CANCELLED);
  t.is((await me.cancelSubscription({ userId })).subscription?.state, SubscriptionState.CANCELLED);
  const accessEnd = ms(cancelled.subscription?.currentPeriodEndTime);
  h.clock.set(accessEnd - 1);
  t.true((await streaming.getEntitlement({ userId })).active);
  h.clock.set(accessEnd);
  t.like(await streaming.getEntitlement({ userId }), {
    active: false,
    tier: PlanTier.UNSPECIFIED,
    maxStreams: 0,
  });
  t.is((await me.getSubscriptionDetails({ userId })).subscription?.state, SubscriptionState.EXPIRED);
  h.clock.advance(90 * DAY);
  t.false((await streaming.getEntitlement({ userId })).active);
  t.is(h.payments.charges.length, 3);

  const all = await me.getBillingHistory({ userId, pageSize: 10 });
  t.deepEqual(
    all.invoices.map((i) => [i.amount?.amountMinor, i.description]),
    [
      [799n, "Basic, monthly (renewal)"],
      [508n, "Upgrade to Premium (prorated)"],
      [1549n, "Standard, monthly"],
    ],
  );

  // Every change went out on the bus; the last one says access has ended.
  await waitFor("the expiry event", () => events.some((e) => !e.active));
  t.deepEqual(
    events.map((e) => [e.active, e.tier]),
    [
      [true, PlanTier.STANDARD], // created
      [true, PlanTier.PREMIUM], // upgraded
      [true, PlanTier.PREMIUM], // downgrade scheduled
      [true, PlanTier.BASIC], // renewed on Basic
      [true, PlanTier.BASIC], // cancelled, access continues
      [false, PlanTier.UNSPECIFIED], // expired
    ],
  );
  t.is(new Set(msgIds).size, msgIds.length, "each change has its own event id");
});

test("a declined card leaves no subscription, and its retry does not reach the card again", async (t) => {
  const { h } = t.context;
  const userId = randomUUID();
  const me = h.client(member(userId));
  const request = {
    userId,
    tier: PlanTier.PREMIUM,
    billingCycle: BillingCycle.YEARLY,
    paymentToken: "tok_decline_insufficient",
    idempotencyKey: key(),
  };
  const err = await rejects(t, me.createSubscription(request), Code.FailedPrecondition);
  t.regex(err.message, /declined/);
  await rejects(t, me.getSubscriptionDetails({ userId }), Code.NotFound);
  t.false((await h.client(internal).getEntitlement({ userId })).active);
  t.deepEqual((await me.getBillingHistory({ userId, pageSize: 10 })).invoices, []);
  await rejects(t, me.createSubscription(request), Code.FailedPrecondition);
  t.is(h.payments.attempts, 1, "the retry got the remembered answer");
  t.is(h.payments.charges.length, 0);

  // Another card, with a new key, works.
  const ok = await me.createSubscription({ ...request, paymentToken: "tok_visa", idempotencyKey: key() });
  t.is(ok.subscription?.state, SubscriptionState.ACTIVE);
  t.is(h.payments.charges.length, 1);
});

test("a declined renewal records a DECLINED invoice and ends access", async (t) => {
  const { h } = t.context;
  const userId = randomUUID();
  const me = h.client(member(userId));
  const token = "tok_visa_renewal";
  const { subscription } = await me.createSubscription({
    userId,
    tier: PlanTier.BASIC,
    billingCycle: BillingCycle.MONTHLY,
    paymentToken: token,
    idempotencyKey: key(),
  });
  h.payments.revoke(token);
  h.clock.set(ms(subscription?.currentPeriodEndTime));
  t.false((await h.client(internal).getEntitlement({ userId })).active);
  const details = await me.getSubscriptionDetails({ userId });
  t.is(details.subscription?.state, SubscriptionState.EXPIRED);
  const { invoices } = await me.getBillingHistory({ userId, pageSize: 10 });
  t.deepEqual(
    invoices.map((i) => i.state),
    [InvoiceState.DECLINED, InvoiceState.PAID],
  );
  await rejects(
    t,
    me.updateSubscription({ userId, tier: PlanTier.PREMIUM, idempotencyKey: key() }),
    Code.FailedPrecondition,
  );
});

test("retries with one idempotency key bill once, sequential or concurrent", async (t) => {
  const { h } = t.context;
  const userId = randomUUID();
  const me = h.client(member(userId));
  const request = {
    userId,
    tier: PlanTier.STANDARD,
    billingCycle: BillingCycle.MONTHLY,
    paymentToken: "tok_visa",
    idempotencyKey: key(),
  };
  const results = await Promise.all(Array.from({ length: 8 }, () => me.createSubscription(request)));
  const again = await me.createSubscription(request);
  for (const r of [...results, again]) {
    t.is(r.subscription?.subscriptionId, results[0]?.subscription?.subscriptionId);
    t.is(r.invoice?.invoiceId, results[0]?.invoice?.invoiceId);
  }
  t.is(h.payments.charges.length, 1);

  // The same key for another request is refused; another key while active is AlreadyExists.
  await rejects(t, me.createSubscription({ ...request, tier: PlanTier.BASIC }), Code.FailedPrecondition);
  await rejects(t, me.createSubscription({ ...request, idempotencyKey: key() }), Code.AlreadyExists);

  // Concurrent retries of one upgrade: one prorated charge, one invoice.
  h.clock.advance(3 * DAY);
  const upgrade = { userId, tier: PlanTier.PREMIUM, idempotencyKey: key() };
  const ups = await Promise.all(Array.from({ length: 6 }, () => me.updateSubscription(upgrade)));
  t.true(ups.every((u) => u.invoice?.invoiceId === ups[0]?.invoice?.invoiceId));
  t.is(h.payments.charges.length, 2);
  t.is((await me.getBillingHistory({ userId, pageSize: 10 })).invoices.length, 2);
});

test("concurrent first subscriptions with different keys: one wins, one charge", async (t) => {
  const { h } = t.context;
  const userId = randomUUID();
  const me = h.client(member(userId));
  const settled = await Promise.allSettled(
    Array.from({ length: 5 }, () =>
      me.createSubscription({
        userId,
        tier: PlanTier.BASIC,
        billingCycle: BillingCycle.MONTHLY,
        paymentToken: "tok_visa",
        idempotencyKey: key(),
      }),
    ),
  );
  t.is(settled.filter((s) => s.status === "fulfilled").length, 1);
  t.is(h.payments.charges.length, 1);
});

test("cancelled then re-subscribed in the period resumes the same subscription without a new charge", async (t) => {
  const { h } = t.context;
  const userId = randomUUID();
  const me = h.client(member(userId));
  const base = {
    userId,
    tier: PlanTier.STANDARD,
    billingCycle: BillingCycle.MONTHLY,
    paymentToken: "tok_visa",
  };
  const first = await me.createSubscription({ ...base, idempotencyKey: key() });
  await me.cancelSubscription({ userId });
  h.clock.advance(5 * DAY);
  const resumed = await me.createSubscription({
    ...base,
    paymentToken: "tok_visa_new",
    idempotencyKey: key(),
  });
  t.is(resumed.subscription?.subscriptionId, first.subscription?.subscriptionId);
  t.is(resumed.subscription?.state, SubscriptionState.ACTIVE);
  t.is(resumed.invoice, undefined);
  t.is(h.payments.charges.length, 1);
  // It renews again, on the new card.
  h.clock.set(ms(first.subscription?.currentPeriodEndTime));
  t.true((await h.client(internal).getEntitlement({ userId })).active);
  t.is(h.payments.charges[1]?.paymentToken, "tok_visa_new");

  // After the end, subscribing again starts a new subscription with a new first charge.
  await me.cancelSubscription({ userId });
  h.clock.advance(40 * DAY);
  const fresh = await me.createSubscription({ ...base, idempotencyKey: key() });
  t.not(fresh.subscription?.subscriptionId, first.subscription?.subscriptionId);
  t.is(fresh.invoice?.amount?.amountMinor, 1549n);
  t.is(h.payments.charges.length, 3);
});

test("a member reaches only their own subscription; GetEntitlement is for services only", async (t) => {
  const { h } = t.context;
  const a = randomUUID();
  const b = randomUUID();
  const asB = h.client(member(b));
  await asB.createSubscription({
    userId: b,
    tier: PlanTier.STANDARD,
    billingCycle: BillingCycle.MONTHLY,
    paymentToken: "tok_visa",
    idempotencyKey: key(),
  });
  const before = await h.store.getSubscription(b);
  for (const [caller, code] of [
    [h.client(member(a)), Code.PermissionDenied],
    [h.client(), Code.Unauthenticated],
  ] as const) {
    await rejects(
      t,
      caller.createSubscription({
        userId: b,
        tier: PlanTier.PREMIUM,
        billingCycle: BillingCycle.MONTHLY,
        paymentToken: "tok_visa",
        idempotencyKey: key(),
      }),
      code,
    );
    await rejects(
      t,
      caller.updateSubscription({ userId: b, tier: PlanTier.PREMIUM, idempotencyKey: key() }),
      code,
    );
    await rejects(t, caller.cancelSubscription({ userId: b }), code);
    await rejects(t, caller.getSubscriptionDetails({ userId: b }), code);
    await rejects(t, caller.getBillingHistory({ userId: b, pageSize: 10 }), code);
  }
  await rejects(t, h.client(member(a)).getEntitlement({ userId: b }), Code.PermissionDenied);
  await rejects(t, asB.getEntitlement({ userId: b }), Code.PermissionDenied);
  await rejects(t, h.client().getEntitlement({ userId: b }), Code.PermissionDenied);
  t.deepEqual(await h.store.getSubscription(b), before, "B's subscription is untouched");
  t.is(h.payments.charges.length, 1);
  // Internal callers act for any member.
  t.true((await h.client(internal).getSubscriptionDetails({ userId: b })).subscription !== undefined);
});

test("bad input is InvalidArgument and writes nothing", async (t) => {
  const { h } = t.context;
  const userId = randomUUID();
  const me = h.client(member(userId));
  const good = {
    userId,
    tier: PlanTier.BASIC,
    billingCycle: BillingCycle.MONTHLY,
    paymentToken: "tok_visa",
    idempotencyKey: key(),
  };
  const bad: Array<[string, Parameters<typeof me.createSubscription>[0]]> = [
    ["unknown tier 99", { ...good, tier: 99 as PlanTier }],
    ["unspecified tier", { ...good, tier: PlanTier.UNSPECIFIED }],
    ["unspecified cycle", { ...good, billingCycle: BillingCycle.UNSPECIFIED }],
    ["oversized token", { ...good, paymentToken: `tok_${"x".repeat(200)}` }],
    ["token of no provider", { ...good, paymentToken: "4242424242424242" }],
    ["oversized key", { ...good, idempotencyKey: "k".repeat(101) }],
    ["short key", { ...good, idempotencyKey: "k" }],
    ["user id not a uuid", { ...good, userId: "me" }],
  ];
  for (const [why, req] of bad) {
    const err = await rejects(t, me.createSubscription(req), Code.InvalidArgument);
    t.log(why, "→", err.rawMessage);
  }
  await rejects(
    t,
    me.updateSubscription({ userId, tier: 99 as PlanTier, idempotencyKey: key() }),
    Code.InvalidArgument,
  );
  await rejects(t, me.updateSubscription({ userId, idempotencyKey: key() }), Code.InvalidArgument);
  await rejects(t, me.getBillingHistory({ userId, pageSize: 0 }), Code.InvalidArgument);
  await rejects(t, me.getBillingHistory({ userId, pageSize: 101 }), Code.InvalidArgument);
  await rejects(
    t,
    me.getBillingHistory({ userId, pageSize: 5, pageToken: "not-a-token" }),
    Code.InvalidArgument,
  );
  await rejects(
    t,
    me.getBillingHistory({ userId, pageSize: 5, pageToken: "x".repeat(600) }),
    Code.InvalidArgument,
  );
  t.is(await h.store.getSubscription(userId), undefined);
  t.deepEqual(await h.store.listInvoices(userId, 10), []);
  t.is(await h.store.getIdempotency(userId, good.idempotencyKey), undefined);
  t.is(h.payments.attempts, 0);
});

test("user.deleted erases the member's subscription, invoices and idempotency records", async (t) => {
  const { h } = t.context;
  const gone = randomUUID();
  const kept = randomUUID();
  const keys: Record<string, string> = {};
  for (const userId of [gone, kept]) {
    keys[userId] = key();
    const me = h.client(member(userId));
    await me.createSubscription({
      userId,
      tier: PlanTier.BASIC,
      billingCycle: BillingCycle.MONTHLY,
      paymentToken: "tok_visa",
      idempotencyKey: keys[userId] as string,
    });
    await me.updateSubscription({ userId, tier: PlanTier.PREMIUM, idempotencyKey: key() });
  }
  const event = create(UserDeletedSchema, { userId: gone });
  // Delivered twice (a redelivery): the consumer is idempotent.
  await h.bus.publish("user.deleted", toBinary(UserDeletedSchema, event), `user.deleted:${gone}`);
  await h.bus.publish("user.deleted", toBinary(UserDeletedSchema, event), `user.deleted:${gone}:again`);
  await waitFor("the member's rows to go", async () => (await h.store.getSubscription(gone)) === undefined);
  await waitFor(
    "the member's idempotency record to go",
    async () => (await h.store.getIdempotency(gone, keys[gone] as string)) === undefined,
  );
  t.deepEqual(await h.store.listInvoices(gone, 10), []);
  t.false((await h.client(internal).getEntitlement({ userId: gone })).active);
  t.truthy(await h.store.getSubscription(kept));
  t.is((await h.store.listInvoices(kept, 10)).length, 2);
  t.truthy(await h.store.getIdempotency(kept, keys[kept] as string));
});
