/**
 * The account's billing engine: subscriptions, charges and invoices of one
 * member at a time. Every change of a member runs under the member's lock
 * (AccountStore.lock), first rolling the subscription over any period ends
 * that passed (renewal charges, scheduled changes, expiry), then doing the
 * operation and writing all its rows in one commit. Requests with an
 * idempotency key remember their outcome, so a retry — sequential or
 * concurrent — gets the same answer and the card is charged once.
 */
import { createHash } from "node:crypto";
import {
  BillingCycle,
  InvoiceState,
  PlanTier,
  SubscriptionState,
} from "@marquee/sdk/marquee/account/v1/account_service_pb";
import type { Logger } from "pino";
import { BillingError, type BillingErrorKind } from "./billing-error.js";
import type { Clock } from "./clock.js";
import { derivedId } from "./ids.js";
import { type Entitlement, entitlementOf, needsRollover, planChange } from "./lifecycle.js";
import type { DeclineReason, PaymentProvider } from "./payments.js";
import { periodOf } from "./periods.js";
import { CURRENCY, cycleName, planOf, priceOf } from "./plans.js";
import {
  type AccountStore,
  type Change,
  type InvoiceCursor,
  type InvoiceRecord,
  LockTimeoutError,
  type SubscriptionRecord,
} from "./store.js";

/** Announces subscription changes (events.ts puts them on the bus). */
export interface SubscriptionEvents {
  changed(sub: SubscriptionRecord, entitlement: Entitlement): Promise<void>;
}

export interface BillingDeps {
  store: AccountStore;
  payments: PaymentProvider;
  clock: Clock;
  events: SubscriptionEvents;
  log: Logger;
  /** How long an operation waits for the member's lock before giving up (Aborted). */
  lockWaitMs?: number;
}

export interface CreateInput {
  userId: string;
  tier: PlanTier;
  billingCycle: BillingCycle;
  paymentToken: string;
  idempotencyKey: string;
}

export interface UpdateInput {
  userId: string;
  /** UNSPECIFIED: unchanged. */
  tier: PlanTier;
  /** UNSPECIFIED: unchanged. */
  billingCycle: BillingCycle;
  idempotencyKey: string;
}

export interface ChangeResult {
  subscription: SubscriptionRecord;
  /** The invoice of the charge made now, if any. */
  invoice?: InvoiceRecord;
}

export interface InvoicePage {
  invoices: InvoiceRecord[];
  /** Where the next page starts; absent on the last page. */
  next?: InvoiceCursor;
}

type Outcome<T> =
  | { ok: T }
  | { error: { kind: BillingErrorKind; message: string; declined?: DeclineReason } };

/** What a run of an idempotent operation produced, before its outcome is remembered. */
interface Done<T> {
  result: T;
  change?: Omit<Change, "userId" | "idempotency">;
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 32);

export class Billing {
  readonly #store: AccountStore;
  readonly #payments: PaymentProvider;
  readonly #clock: Clock;
  readonly #events: SubscriptionEvents;
  readonly #log: Logger;
  readonly #lockWaitMs: number;

  constructor(deps: BillingDeps) {
    this.#store = deps.store;
    this.#payments = deps.payments;
    this.#clock = deps.clock;
    this.#events = deps.events;
    this.#log = deps.log;
    this.#lockWaitMs = deps.lockWaitMs ?? 10_000;
  }

  /**
   * Subscribes the member and charges the first period. With an active
   * subscription: AlreadyExists. With a cancelled one still running: resumes
   * it (renewal back on, the new card kept) and applies the tier and cycle as
   * UpdateSubscription would. A declined card leaves no subscription.
   */
  create(input: CreateInput): Promise<ChangeResult> {
    const fingerprint = `create:${input.tier}:${input.billingCycle}:${sha(input.paymentToken)}`;
    return this.#idempotent(input.userId, input.idempotencyKey, fingerprint, async (sub) => {
      if (sub?.state === SubscriptionState.ACTIVE) {
        throw new BillingError(
          "already_exists",
          "the account already has an active subscription; change it with UpdateSubscription",
        );
      }
      if (sub?.state === SubscriptionState.CANCELLED) {
        const resumed: SubscriptionRecord = {
          ...sub,
          state: SubscriptionState.ACTIVE,
          paymentToken: input.paymentToken,
        };
        return this.#change(resumed, input.tier, input.billingCycle, input.idempotencyKey, true);
      }
      return this.#subscribe(input, sub);
    });
  }

  /** Upgrades now with a prorated charge; schedules downgrades and cycle changes for the period end. */
  update(input: UpdateInput): Promise<ChangeResult> {
    if (input.tier === PlanTier.UNSPECIFIED && input.billingCycle === BillingCycle.UNSPECIFIED) {
      return Promise.reject(new BillingError("invalid_argument", "set tier, billing_cycle or both"));
    }
    const fingerprint = `update:${input.tier}:${input.billingCycle}`;
    return this.#idempotent(input.userId, input.idempotencyKey, fingerprint, async (sub) => {
      if (sub === undefined)
        throw new BillingError("not_found", "the account has no subscription; create one first");
      if (sub.state === SubscriptionState.EXPIRED)
        throw new BillingError("failed_precondition", "the subscription has ended; create a new one");
      if (sub.state === SubscriptionState.CANCELLED)
        throw new BillingError(
          "failed_precondition",
          "the subscription is cancelled; resume it with CreateSubscription before changing it",
        );
      return this.#change(sub, input.tier, input.billingCycle, input.idempotencyKey, false);
    });
  }

  /** Stops renewal; access lasts until the period ends. Cancelling twice changes nothing. */
  cancel(userId: string): Promise<SubscriptionRecord> {
    return this.#locked(userId, async () => {
      const sub = await this.#rolledOver(userId);
      if (sub === undefined) throw new BillingError("not_found", "the account has no subscription");
      if (sub.state === SubscriptionState.EXPIRED)
        throw new BillingError("failed_precondition", "the subscription has already ended");
      if (sub.state === SubscriptionState.CANCELLED) return sub;
      const now = this.#clock.now();
      const next = this.#bump(
        {
          ...sub,
          state: SubscriptionState.CANCELLED,
          pendingTier: PlanTier.UNSPECIFIED,
          pendingBillingCycle: BillingCycle.UNSPECIFIED,
        },
        now,
      );
      await this.#store.commit({ userId, subscription: next });
      return this.#announce(next);
    });
  }

  async details(userId: string): Promise<SubscriptionRecord> {
    const sub = await this.#current(userId);
    if (sub === undefined) throw new BillingError("not_found", "the account has no subscription");
    return sub;
  }

  async entitlement(userId: string): Promise<Entitlement> {
    return entitlementOf(await this.#current(userId), this.#clock.now());
  }

  async invoices(userId: string, pageSize: number, after?: InvoiceCursor): Promise<InvoicePage> {
    await this.#current(userId);
    const rows = await this.#store.listInvoices(userId, pageSize + 1, after);
    const invoices = rows.slice(0, pageSize);
    const last = invoices[invoices.length - 1];
    if (rows.length <= pageSize || last === undefined) return { invoices };
    return { invoices, next: { createTime: last.createTime, invoiceId: last.invoiceId } };
  }

  /** Erases every row of the member (on user.deleted). Idempotent. */
  erase(userId: string): Promise<void> {
    return this.#locked(userId, () => this.#store.eraseUser(userId));
  }

  // ---- operations ----

  async #subscribe(
    input: CreateInput,
    previous: SubscriptionRecord | undefined,
  ): Promise<Done<ChangeResult>> {
    const now = this.#clock.now();
    const plan = planOf(input.tier);
    const period = periodOf(now, 0, input.billingCycle);
    const amount = priceOf(input.tier, input.billingCycle);
    const subscriptionId = derivedId("subscription", input.userId, input.idempotencyKey);
    const description = `${plan.name}, ${cycleName(input.billingCycle)}`;
    const charge = await this.#payments.charge({
      idempotencyKey: `create:${input.userId}:${input.idempotencyKey}`,
      paymentToken: input.paymentToken,
      amountMinor: amount,
      currency: CURRENCY,
      description,
    });
    if (charge.status === "declined") {
      throw new BillingError(
        "failed_precondition",
        `the payment was declined (${charge.reason}); no subscription was created — try another card with a new idempotency_key`,
        { remember: true, declined: charge.reason },
      );
    }
    const subscription: SubscriptionRecord = {
      userId: input.userId,
      subscriptionId,
      tier: input.tier,
      billingCycle: input.billingCycle,
      state: SubscriptionState.ACTIVE,
      anchorTime: now,
      periodIndex: 0,
      periodStart: period.start,
      periodEnd: period.end,
      pendingTier: PlanTier.UNSPECIFIED,
      pendingBillingCycle: BillingCycle.UNSPECIFIED,
      amountMinor: amount,
      currency: CURRENCY,
      paymentToken: input.paymentToken,
      createTime: now,
      updateTime: now,
      // A subscription replacing an ended one keeps counting, so event ids never repeat.
      version: (previous?.version ?? 0) + 1,
      publishedVersion: previous?.version ?? 0,
    };
    const invoice: InvoiceRecord = {
      userId: input.userId,
      invoiceId: derivedId("invoice", subscriptionId, "first"),
      subscriptionId,
      amountMinor: amount,
      currency: CURRENCY,
      state: InvoiceState.PAID,
      description,
      periodStart: period.start,
      periodEnd: period.end,
      createTime: now,
    };
    return { result: { subscription, invoice }, change: { subscription, invoices: [invoice] } };
  }

  async #change(
    sub: SubscriptionRecord,
    tier: PlanTier,
    cycle: BillingCycle,
    key: string,
    resumed: boolean,
  ): Promise<Done<ChangeResult>> {
    const now = this.#clock.now();
    const plan = planChange(sub, tier, cycle, now);
    if (!plan.changed && !resumed) return { result: { subscription: sub } };
    let invoice: InvoiceRecord | undefined;
    if (plan.chargeMinor > 0) {
      const description = `Upgrade to ${planOf(tier).name} (prorated)`;
      const charge = await this.#payments.charge({
        idempotencyKey: `upgrade:${sub.userId}:${key}`,
        paymentToken: sub.paymentToken,
        amountMinor: plan.chargeMinor,
        currency: sub.currency,
        description,
      });
      if (charge.status === "declined") {
        throw new BillingError(
          "failed_precondition",
          `the payment was declined (${charge.reason}); the plan was not changed`,
          { remember: true, declined: charge.reason },
        );
      }
      invoice = {
        userId: sub.userId,
        invoiceId: derivedId("invoice", sub.subscriptionId, "upgrade", key),
        subscriptionId: sub.subscriptionId,
        amountMinor: plan.chargeMinor,
        currency: sub.currency,
        state: InvoiceState.PAID,
        description,
        periodStart: now,
        periodEnd: sub.periodEnd,
        createTime: now,
      };
    }
    const subscription = this.#bump(plan.next, now);
    return {
      result: invoice === undefined ? { subscription } : { subscription, invoice },
      change: { subscription, invoices: invoice === undefined ? [] : [invoice] },
    };
  }

  // ---- machinery ----

  #bump(sub: SubscriptionRecord, at: number): SubscriptionRecord {
    return { ...sub, updateTime: at, version: sub.version + 1 };
  }

  async #locked<T>(userId: string, run: () => Promise<T>): Promise<T> {
    let release: () => Promise<void>;
    try {
      release = await this.#store.lock(userId, this.#lockWaitMs);
    } catch (err) {
      if (err instanceof LockTimeoutError)
        throw new BillingError("aborted", "another change of this account is in progress; retry shortly");
      throw err;
    }
    try {
      return await run();
    } finally {
      await release();
    }
  }

  /**
   * Runs an operation once per (member, idempotency key): a repeat with the
   * same request replays the remembered outcome, a repeat with another
   * request is refused. Successes and declined payments are remembered;
   * other refusals (nothing was attempted) are not.
   */
  #idempotent<T>(
    userId: string,
    key: string,
    fingerprint: string,
    run: (sub: SubscriptionRecord | undefined) => Promise<Done<T>>,
  ): Promise<T> {
    return this.#locked(userId, async () => {
      const seen = await this.#store.getIdempotency(userId, key);
      if (seen !== undefined) {
        if (seen.fingerprint !== fingerprint) {
          throw new BillingError(
            "failed_precondition",
            "this idempotency_key was already used for a different request; use a new key",
          );
        }
        const outcome = JSON.parse(seen.outcome) as Outcome<T>;
        if ("error" in outcome) {
          const { kind, message, declined } = outcome.error;
          throw new BillingError(kind, message, { remember: true, declined });
        }
        return outcome.ok;
      }
      const sub = await this.#rolledOver(userId);
      const record = (outcome: Outcome<T>) => ({
        userId,
        key,
        fingerprint,
        outcome: JSON.stringify(outcome),
        createTime: this.#clock.now(),
      });
      let done: Done<T>;
      try {
        done = await run(sub);
      } catch (err) {
        if (err instanceof BillingError && err.remember) {
          await this.#store.commit({
            userId,
            idempotency: record({ error: { kind: err.kind, message: err.message, declined: err.declined } }),
          });
        }
        throw err;
      }
      await this.#store.commit({ userId, ...done.change, idempotency: record({ ok: done.result }) });
      const written = done.change?.subscription;
      if (written !== undefined) await this.#announce(written);
      return done.result;
    });
  }

  /** The subscription as of now; takes the lock only when a period end or an announcement is due. */
  async #current(userId: string): Promise<SubscriptionRecord | undefined> {
    const sub = await this.#store.getSubscription(userId);
    if (sub === undefined) return undefined;
    if (!needsRollover(sub, this.#clock.now()) && sub.publishedVersion >= sub.version) return sub;
    return this.#locked(userId, () => this.#rolledOver(userId));
  }

  /**
   * Under the member's lock: brings the subscription up to now. Each period
   * end that passed renews an active subscription (charging the card for the
   * next period, applying scheduled changes) or ends it (cancelled, or the
   * renewal was declined, which leaves a DECLINED invoice).
   */
  async #rolledOver(userId: string): Promise<SubscriptionRecord | undefined> {
    const loaded = await this.#store.getSubscription(userId);
    if (loaded === undefined) return undefined;
    const now = this.#clock.now();
    let sub = loaded;
    const invoices: InvoiceRecord[] = [];
    while (needsRollover(sub, now)) {
      if (sub.state === SubscriptionState.CANCELLED) {
        sub = this.#bump({ ...sub, state: SubscriptionState.EXPIRED }, sub.periodEnd);
        break;
      }
      const tier = sub.pendingTier || sub.tier;
      const cycle = sub.pendingBillingCycle || sub.billingCycle;
      const sameCycle = cycle === sub.billingCycle;
      const anchor = sameCycle ? sub.anchorTime : sub.periodEnd;
      const index = sameCycle ? sub.periodIndex + 1 : 0;
      const period = periodOf(anchor, index, cycle);
      const amount = priceOf(tier, cycle);
      const description = `${planOf(tier).name}, ${cycleName(cycle)} (renewal)`;
      const charge = await this.#payments.charge({
        idempotencyKey: `renewal:${sub.subscriptionId}:${period.start}`,
        paymentToken: sub.paymentToken,
        amountMinor: amount,
        currency: sub.currency,
        description,
      });
      invoices.push({
        userId,
        invoiceId: derivedId("invoice", sub.subscriptionId, "renewal", String(period.start)),
        subscriptionId: sub.subscriptionId,
        amountMinor: amount,
        currency: sub.currency,
        state: charge.status === "approved" ? InvoiceState.PAID : InvoiceState.DECLINED,
        description,
        periodStart: period.start,
        periodEnd: period.end,
        createTime: period.start,
      });
      if (charge.status === "declined") {
        this.#log.info({ userId, reason: charge.reason }, "renewal declined; subscription ended");
        sub = this.#bump(
          {
            ...sub,
            state: SubscriptionState.EXPIRED,
            pendingTier: PlanTier.UNSPECIFIED,
            pendingBillingCycle: BillingCycle.UNSPECIFIED,
          },
          sub.periodEnd,
        );
        break;
      }
      sub = this.#bump(
        {
          ...sub,
          tier,
          billingCycle: cycle,
          anchorTime: anchor,
          periodIndex: index,
          periodStart: period.start,
          periodEnd: period.end,
          pendingTier: PlanTier.UNSPECIFIED,
          pendingBillingCycle: BillingCycle.UNSPECIFIED,
          amountMinor: amount,
        },
        period.start,
      );
    }
    if (sub !== loaded) await this.#store.commit({ userId, subscription: sub, invoices });
    return this.#announce(sub);
  }

  /**
   * Publishes subscription.changed for the latest version not yet announced,
   * then records that it was. A failed publish is retried by the next
   * operation on the member (the event id is deterministic, so a repeat is
   * dropped by the bus).
   */
  async #announce(sub: SubscriptionRecord): Promise<SubscriptionRecord> {
    if (sub.publishedVersion >= sub.version) return sub;
    try {
      await this.#events.changed(sub, entitlementOf(sub, this.#clock.now()));
    } catch (err) {
      this.#log.warn({ err, userId: sub.userId }, "subscription.changed not published; will retry");
      return sub;
    }
    const published = { ...sub, publishedVersion: sub.version };
    await this.#store.commit({ userId: sub.userId, subscription: published });
    return published;
  }
}
