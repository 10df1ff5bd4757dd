import { KeyedLock } from "@marquee/kit";
import { ClassicLevel } from "classic-level";
import type {
  AccountStore,
  IdempotencyRecord,
  InvoiceCursor,
  InvoiceRecord,
  Release,
  SubscriptionRecord,
} from "./store.js";

const pad = (ms: number) => ms.toString().padStart(16, "0");
const subKey = (userId: string) => `sub!${userId}`;
const invPrefix = (userId: string) => `inv!${userId}!`;
const invKey = (userId: string, createTime: number, invoiceId: string) =>
  `${invPrefix(userId)}${pad(createTime)}!${invoiceId}`;
const idemPrefix = (userId: string) => `idem!${userId}!`;

/**
 * The account store for embedded mode, on classic-level. Invoices are keyed
 * by member, time and id, so a reverse range read gives newest first. One
 * process owns the directory, so the member lock is an in-process keyed lock.
 */
export async function openEmbeddedAccountStore(dir: string): Promise<AccountStore> {
  const db = new ClassicLevel<string, string>(dir);
  await db.open();
  const locks = new KeyedLock();
  const getJson = async <T>(key: string): Promise<T | undefined> => {
    const value = await db.get(key);
    return value === undefined ? undefined : (JSON.parse(value) as T);
  };
  const keysUnder = async (prefix: string) => db.keys({ gte: prefix, lt: `${prefix}\uffff` }).all();

  return {
    getSubscription: (userId) => getJson<SubscriptionRecord>(subKey(userId)),
    async commit(change) {
      const ops: Array<{ type: "put"; key: string; value: string }> = [];
      if (change.subscription !== undefined)
        ops.push({ type: "put", key: subKey(change.userId), value: JSON.stringify(change.subscription) });
      for (const inv of change.invoices ?? [])
        ops.push({
          type: "put",
          key: invKey(change.userId, inv.createTime, inv.invoiceId),
          value: JSON.stringify(inv),
        });
      if (change.idempotency !== undefined)
        ops.push({
          type: "put",
          key: `${idemPrefix(change.userId)}${change.idempotency.key}`,
          value: JSON.stringify(change.idempotency),
        });
      if (ops.length > 0) await db.batch(ops);
    },
    async listInvoices(userId: string, limit: number, after?: InvoiceCursor) {
      const prefix = invPrefix(userId);
      const rows = await db
        .values({
          gte: prefix,
          lt: after === undefined ? `${prefix}\uffff` : invKey(userId, after.createTime, after.invoiceId),
          reverse: true,
          limit,
        })
        .all();
      return rows.map((v) => JSON.parse(v) as InvoiceRecord);
    },
    getIdempotency: (userId, key) => getJson<IdempotencyRecord>(`${idemPrefix(userId)}${key}`),
    async lock(userId: string, waitMs: number): Promise<Release> {
      const release = await locks.acquire(userId, waitMs);
      return async () => release();
    },
    async eraseUser(userId) {
      const keys = [
        subKey(userId),
        ...(await keysUnder(invPrefix(userId))),
        ...(await keysUnder(idemPrefix(userId))),
      ];
      await db.batch(keys.map((key) => ({ type: "del" as const, key })));
    },
    close: () => db.close(),
  };
}
