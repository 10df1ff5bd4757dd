/**
 * An idempotency key names one attempt. A retry of an attempt still in flight
 * (the client gave up waiting, the answer was lost, the server failed after
 * the charge) bills once; a decline ends the attempt, and the next card is a
 * new attempt with a new key.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Code } from "@connectrpc/connect";
import { EmbeddedBus } from "@marquee/kit/embedded";
import { waitFor } from "@marquee/kit/testing";
import {
  BillingCycle,
  DeclineReason,
  PaymentDeclinedSchema,
  PlanTier,
  SubscriptionState,
} from "@marquee/sdk/marquee/account/v1/account_service_pb";
import anyTest, { type TestFn } from "ava";
import { Billing } from "../src/billing.js";
import { BillingError } from "../src/billing-error.js";
import { ManualClock } from "../src/clock.js";
import { type ChargeRequest, type ChargeResult, SimulatedPaymentProvider } from "../src/payments.js";
import type { AccountStore } from "../src/store.js";
import { openEmbeddedAccountStore } from "../src/store-embedded.js";
import { rejects } from "./expect.js";
import { T0 } from "./fixtures.js";
import { type Harness, log, member, startHarness } from "./harness.js";

/** The simulated provider, holding every charge at a gate until the test opens it. */
class GatedPayments extends SimulatedPaymentProvider {
  /** Charge calls that reached the provider, retries included. */
  readonly calls: ChargeRequest[] = [];
  #open!: () => void;
  readonly #gate = new Promise<void>((resolve) => {
    this.#open = resolve;
  });

  override async charge(req: ChargeRequest): Promise<ChargeResult> {
    this.calls.push(req);
    await this.#gate;
    return super.charge(req);
  }

  open(): void {
    this.#open();
  }
}

/** The embedded store whose next commit fails, as if the process died after the charge. */
function failingOnce(store: AccountStore): AccountStore & { failNext: () => void } {
  let fail = false;
  return {
    ...store,
    failNext: () => {
      fail = true;
    },
    async commit(change) {
      if (fail) {
        fail = false;
        throw new Error("the store went away");
      }
      return store.commit(change);
    },
  };
}

interface Context {
  dir: string;
  store: AccountStore;
  h?: Harness;
}

const test = anyTest as TestFn<Context>;
test.beforeEach(async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-account-retry-"));
  t.context = { dir, store: await openEmbeddedAccountStore(path.join(dir, "account")) };
});
test.afterEach.always(async (t) => {
  if (t.context.h) await t.context.h.close();
  else await t.context.store.close();
  rmSync(t.context.dir, { recursive: true, force: true });
});

async function harness(t: { context: Context }, payments: SimulatedPaymentProvider): Promise<Harness> {
  const bus = await EmbeddedBus.open(path.join(t.context.dir, "bus"), log);
  t.context.h = await startHarness(t.context.store, bus, new ManualClock(T0), payments);
  return t.context.h;
}

const subscribe = (userId: string, paymentToken = "tok_visa") => ({
  userId,
  tier: PlanTier.STANDARD,
  billingCycle: BillingCycle.MONTHLY,
  paymentToken,
  idempotencyKey: `attempt-${randomUUID()}`,
});

test("a retry sent while the attempt is still at the provider waits for it and bills once", async (t) => {
  const payments = new GatedPayments();
  const h = await harness(t, payments);
  const userId = randomUUID();
  const me = h.client(member(userId));
  const request = subscribe(userId);

  const first = me.createSubscription(request);
  await waitFor("the first charge at the provider", () => payments.calls.length === 1, 10_000);
  // The client gave up on the first call and sends the same attempt again, twice.
  const retries = [me.createSubscription(request), me.createSubscription(request)];
  payments.open();
  const results = await Promise.all([first, ...retries]);

  t.is(results[0]?.subscription?.state, SubscriptionState.ACTIVE);
  for (const r of results) {
    t.is(r.subscription?.subscriptionId, results[0]?.subscription?.subscriptionId);
    t.is(r.invoice?.invoiceId, results[0]?.invoice?.invoiceId);
  }
  t.is(payments.calls.length, 1, "the retries never reached the provider");
  t.is(payments.charges.length, 1);
  t.is((await me.getBillingHistory({ userId, pageSize: 10 })).invoices.length, 1);
});

test("a retry that outwaits the lock is told to retry, and its next try replays the one charge", async (t) => {
  const payments = new GatedPayments();
  const clock = new ManualClock(T0);
  const events = { changed: async () => {} };
  const billing = new Billing({ store: t.context.store, payments, clock, events, log, lockWaitMs: 50 });
  const request = subscribe(randomUUID());

  const first = billing.create(request);
  await waitFor("the first charge at the provider", () => payments.calls.length === 1, 10_000);
  const early = await t.throwsAsync(billing.create(request), { instanceOf: BillingError });
  t.is(early?.kind, "aborted");
  payments.open();
  const done = await first;
  const replay = await billing.create(request);

  t.is(replay.subscription.subscriptionId, done.subscription.subscriptionId);
  t.is(replay.invoice?.invoiceId, done.invoice?.invoiceId);
  t.is(payments.calls.length, 1);
  t.is(payments.charges.length, 1);
});

test("a retry after the server failed between the charge and its record bills once", async (t) => {
  const store = failingOnce(t.context.store);
  const payments = new SimulatedPaymentProvider();
  const billing = new Billing({
    store,
    payments,
    clock: new ManualClock(T0),
    events: { changed: async () => {} },
    log,
  });
  const request = subscribe(randomUUID());

  store.failNext();
  await t.throwsAsync(billing.create(request), { message: "the store went away" });
  t.is(payments.charges.length, 1, "the card was charged before the failure");
  const retried = await billing.create(request);

  t.is(retried.subscription.state, SubscriptionState.ACTIVE);
  t.is(payments.charges.length, 1, "the provider answered the retry from its record of the key");
  t.is(payments.attempts, 1);
  t.is(retried.invoice?.amountMinor, payments.charges[0]?.amountMinor);
});

test("a decline says so in a detail, also on its replay; the next card with a new key subscribes", async (t) => {
  const payments = new SimulatedPaymentProvider();
  const h = await harness(t, payments);
  const userId = randomUUID();
  const me = h.client(member(userId));
  const declined = subscribe(userId, "tok_insufficient_funds");

  for (const call of [me.createSubscription(declined), me.createSubscription(declined)]) {
    const err = await rejects(t, call, Code.FailedPrecondition);
    t.deepEqual(
      err.findDetails(PaymentDeclinedSchema).map((d) => d.reason),
      [DeclineReason.INSUFFICIENT_FUNDS],
    );
  }
  t.is(payments.attempts, 1, "the replay did not reach the provider");

  // The same key for another card is another request: refused, and not as a decline.
  const reused = await rejects(
    t,
    me.createSubscription({ ...declined, paymentToken: "tok_visa" }),
    Code.FailedPrecondition,
  );
  t.deepEqual(reused.findDetails(PaymentDeclinedSchema), []);

  const ok = await me.createSubscription({ ...subscribe(userId), tier: declined.tier });
  t.is(ok.subscription?.state, SubscriptionState.ACTIVE);
  t.is(payments.charges.length, 1);
});

test("a declined upgrade carries the detail and changes nothing", async (t) => {
  const payments = new SimulatedPaymentProvider();
  const h = await harness(t, payments);
  const userId = randomUUID();
  const me = h.client(member(userId));
  const token = "tok_visa_soon_blocked";
  await me.createSubscription(subscribe(userId, token));
  payments.revoke(token);

  const err = await rejects(
    t,
    me.updateSubscription({ userId, tier: PlanTier.PREMIUM, idempotencyKey: `attempt-${randomUUID()}` }),
    Code.FailedPrecondition,
  );
  t.deepEqual(
    err.findDetails(PaymentDeclinedSchema).map((d) => d.reason),
    [DeclineReason.CARD_EXPIRED],
  );
  t.is((await me.getSubscriptionDetails({ userId })).subscription?.tier, PlanTier.STANDARD);
});
