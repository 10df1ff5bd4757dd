import { randomUUID } from "node:crypto";
import { KeyedLock } from "@marquee/kit";
import type { Client, types } from "cassandra-driver";
import {
  type AccountStore,
  type IdempotencyRecord,
  type InvoiceCursor,
  type InvoiceRecord,
  LockTimeoutError,
  type Release,
  type SubscriptionRecord,
} from "./store.js";

/** A lock whose holder died frees itself after this long. */
const LOCK_TTL_SECONDS = 30;

const SUB_COLUMNS =
  "user_id, subscription_id, tier, billing_cycle, state, anchor_time, period_index, period_start, period_end, pending_tier, pending_billing_cycle, amount_minor, currency, payment_token, create_time, update_time, version, published_version";
const INV_COLUMNS =
  "user_id, create_time, invoice_id, subscription_id, amount_minor, currency, state, description, period_start, period_end";

const ms = (d: Date | null | undefined) => (d ? d.getTime() : 0);
const str = (v: unknown) => (v === null || v === undefined ? "" : String(v));
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

function toSubscription(r: types.Row): SubscriptionRecord {
  return {
    userId: str(r.user_id),
    subscriptionId: str(r.subscription_id),
    tier: num(r.tier),
    billingCycle: num(r.billing_cycle),
    state: num(r.state),
    anchorTime: ms(r.anchor_time),
    periodIndex: num(r.period_index),
    periodStart: ms(r.period_start),
    periodEnd: ms(r.period_end),
    pendingTier: num(r.pending_tier),
    pendingBillingCycle: num(r.pending_billing_cycle),
    amountMinor: num(r.amount_minor),
    currency: str(r.currency),
    paymentToken: str(r.payment_token),
    createTime: ms(r.create_time),
    updateTime: ms(r.update_time),
    version: num(r.version),
    publishedVersion: num(r.published_version),
  };
}

function toInvoice(r: types.Row): InvoiceRecord {
  return {
    userId: str(r.user_id),
    invoiceId: str(r.invoice_id),
    subscriptionId: str(r.subscription_id),
    amountMinor: num(r.amount_minor),
    currency: str(r.currency),
    state: num(r.state),
    description: str(r.description),
    periodStart: ms(r.period_start),
    periodEnd: ms(r.period_end),
    createTime: ms(r.create_time),
  };
}

/**
 * The account store on Cassandra (keyspace marquee_account, see
 * migrations.ts). An operation's writes go in one logged batch, so they land
 * together or not at all. The member lock is a lightweight-transaction lease
 * with a TTL, taken after an in-process keyed lock so one process does not
 * race itself.
 */
export function createCassandraAccountStore(client: Client): AccountStore {
  const local = new KeyedLock();
  const owner = randomUUID();
  return {
    async getSubscription(userId) {
      const rs = await client.execute(`SELECT ${SUB_COLUMNS} FROM subscriptions WHERE user_id = ?`, [userId]);
      const row = rs.first();
      return row ? toSubscription(row) : undefined;
    },
    async commit(change) {
      const queries: Array<{ query: string; params: unknown[] }> = [];
      const s = change.subscription;
      if (s !== undefined) {
        queries.push({
          query: `INSERT INTO subscriptions (${SUB_COLUMNS}) VALUES (${SUB_COLUMNS.split(",")
            .map(() => "?")
            .join(", ")})`,
          params: [
            change.userId,
            s.subscriptionId,
            s.tier,
            s.billingCycle,
            s.state,
            new Date(s.anchorTime),
            s.periodIndex,
            new Date(s.periodStart),
            new Date(s.periodEnd),
            s.pendingTier,
            s.pendingBillingCycle,
            s.amountMinor,
            s.currency,
            s.paymentToken,
            new Date(s.createTime),
            new Date(s.updateTime),
            s.version,
            s.publishedVersion,
          ],
        });
      }
      for (const inv of change.invoices ?? []) {
        queries.push({
          query: `INSERT INTO invoices (${INV_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          params: [
            change.userId,
            new Date(inv.createTime),
            inv.invoiceId,
            inv.subscriptionId,
            inv.amountMinor,
            inv.currency,
            inv.state,
            inv.description,
            new Date(inv.periodStart),
            new Date(inv.periodEnd),
          ],
        });
      }
      const i = change.idempotency;
      if (i !== undefined) {
        queries.push({
          query:
            "INSERT INTO idempotency (user_id, key, fingerprint, outcome, create_time) VALUES (?, ?, ?, ?, ?)",
          params: [change.userId, i.key, i.fingerprint, i.outcome, new Date(i.createTime)],
        });
      }
      if (queries.length === 1) {
        const only = queries[0] as { query: string; params: unknown[] };
        await client.execute(only.query, only.params);
      } else if (queries.length > 1) {
        await client.batch(queries, { prepare: true, logged: true });
      }
    },
    async listInvoices(userId: string, limit: number, after?: InvoiceCursor) {
      const rs =
        after === undefined
          ? await client.execute(`SELECT ${INV_COLUMNS} FROM invoices WHERE user_id = ? LIMIT ?`, [
              userId,
              limit,
            ])
          : await client.execute(
              `SELECT ${INV_COLUMNS} FROM invoices WHERE user_id = ? AND (create_time, invoice_id) < (?, ?) LIMIT ?`,
              [userId, new Date(after.createTime), after.invoiceId, limit],
            );
      return rs.rows.map(toInvoice);
    },
    async getIdempotency(userId, key): Promise<IdempotencyRecord | undefined> {
      const rs = await client.execute(
        "SELECT fingerprint, outcome, create_time FROM idempotency WHERE user_id = ? AND key = ?",
        [userId, key],
      );
      const row = rs.first();
      if (!row) return undefined;
      return {
        userId,
        key,
        fingerprint: str(row.fingerprint),
        outcome: str(row.outcome),
        createTime: ms(row.create_time),
      };
    },
    async lock(userId: string, waitMs: number): Promise<Release> {
      const deadline = Date.now() + waitMs;
      const releaseLocal = await local.acquire(userId, waitMs);
      try {
        let backoffMs = 5;
        for (;;) {
          const rs = await client.execute(
            `INSERT INTO member_locks (user_id, owner) VALUES (?, ?) IF NOT EXISTS USING TTL ${LOCK_TTL_SECONDS}`,
            [userId, owner],
          );
          if (rs.wasApplied()) break;
          if (Date.now() + backoffMs > deadline)
            throw new LockTimeoutError(`member ${userId} stayed busy for ${waitMs} ms`);
          await new Promise((resolve) => setTimeout(resolve, backoffMs));
          backoffMs = Math.min(backoffMs * 2, 200);
        }
      } catch (err) {
        releaseLocal();
        throw err;
      }
      return async () => {
        try {
          await client.execute("DELETE FROM member_locks WHERE user_id = ? IF owner = ?", [userId, owner]);
        } finally {
          releaseLocal();
        }
      };
    },
    async eraseUser(userId) {
      await client.batch(
        [
          { query: "DELETE FROM subscriptions WHERE user_id = ?", params: [userId] },
          { query: "DELETE FROM invoices WHERE user_id = ?", params: [userId] },
          { query: "DELETE FROM idempotency WHERE user_id = ?", params: [userId] },
        ],
        { prepare: true, logged: true },
      );
    },
    close: () => client.shutdown(),
  };
}
