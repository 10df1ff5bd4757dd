/**
 * The account store port: what the account service needs to keep, and
 * nothing about how. Adapters: store-embedded.ts (classic-level) and
 * store-cassandra.ts (keyspace marquee_account); test/store-contract.ts holds
 * the behaviour both must have. Times are milliseconds since the epoch.
 */
import type {
  BillingCycle,
  InvoiceState,
  PlanTier,
  SubscriptionState,
} from "@marquee/sdk/marquee/account/v1/account_service_pb";

export interface SubscriptionRecord {
  userId: string;
  subscriptionId: string;
  tier: PlanTier;
  billingCycle: BillingCycle;
  state: SubscriptionState;
  /** Periods are counted from here (see periods.ts). */
  anchorTime: number;
  periodIndex: number;
  periodStart: number;
  periodEnd: number;
  /** UNSPECIFIED (0) when nothing is scheduled. */
  pendingTier: PlanTier;
  pendingBillingCycle: BillingCycle;
  /** Charged per period, in minor units of `currency`. */
  amountMinor: number;
  currency: string;
  /** The provider's card token, charged for renewals and upgrades. */
  paymentToken: string;
  createTime: number;
  updateTime: number;
  /** Grows by one with every change; names the subscription.changed event of that change. */
  version: number;
  /** The last version announced on the bus (an outbox of one). */
  publishedVersion: number;
}

export interface InvoiceRecord {
  userId: string;
  invoiceId: string;
  subscriptionId: string;
  amountMinor: number;
  currency: string;
  state: InvoiceState;
  description: string;
  periodStart: number;
  periodEnd: number;
  createTime: number;
}

/** Where a page of invoices starts: strictly after this invoice, newest first. */
export interface InvoiceCursor {
  createTime: number;
  invoiceId: string;
}

/** The remembered outcome of a request made with an idempotency key. */
export interface IdempotencyRecord {
  userId: string;
  key: string;
  /** What the request asked for; the same key with another request is refused. */
  fingerprint: string;
  /** The outcome as JSON (see idempotency.ts). */
  outcome: string;
  createTime: number;
}

/** The writes of one operation of one member. */
export interface Change {
  userId: string;
  subscription?: SubscriptionRecord;
  invoices?: InvoiceRecord[];
  idempotency?: IdempotencyRecord;
}

/** Ends a hold on a member's lock. */
export type Release = () => Promise<void>;

/** What lock() throws when the member stays busy for longer than the wait allowed. */
export { LockTimeoutError } from "@marquee/kit";

export interface AccountStore {
  getSubscription(userId: string): Promise<SubscriptionRecord | undefined>;
  /**
   * Writes what one operation changed, all or nothing: the member's
   * subscription (one per member, replacing the previous one), new invoices
   * (keyed by member, create time and id) and the outcome of an idempotent
   * request.
   */
  commit(change: Change): Promise<void>;
  /** Up to `limit` invoices of a member, newest first (ties: larger id first), after the cursor. */
  listInvoices(userId: string, limit: number, after?: InvoiceCursor): Promise<InvoiceRecord[]>;
  getIdempotency(userId: string, key: string): Promise<IdempotencyRecord | undefined>;
  /**
   * Holds the member's lock: billing operations of one member run one at a
   * time, across every process sharing the store. Throws LockTimeoutError
   * when it cannot be had within `waitMs`.
   */
  lock(userId: string, waitMs: number): Promise<Release>;
  /** Removes every row of the member: subscription, invoices, idempotency records. Idempotent. */
  eraseUser(userId: string): Promise<void>;
  close(): Promise<void>;
}
