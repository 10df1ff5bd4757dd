import { randomUUID } from "node:crypto";
import { InvoiceState, SubscriptionState } from "@marquee/sdk/marquee/account/v1/account_service_pb";
import type { TestFn } from "ava";
import { type AccountStore, LockTimeoutError } from "../src/store.js";
import { invoiceRecord, subscriptionRecord, T0 } from "./fixtures.js";

/**
 * Opens a store on fresh storage. `sibling` opens another handle on the same
 * storage, as a second process would (the embedded adapter, owned by one
 * process, may return the same store).
 */
export type AccountStoreFactory = () => Promise<{
  store: AccountStore;
  sibling: () => Promise<AccountStore>;
}>;

/** The behaviour every AccountStore adapter must have; each adapter's test file calls this. */
export function accountStoreContract(test: TestFn, open: AccountStoreFactory): void {
  test("a subscription reads back field for field, and a commit replaces it", async (t) => {
    const { store } = await open();
    const sub = subscriptionRecord();
    t.is(await store.getSubscription(sub.userId), undefined);
    await store.commit({ userId: sub.userId, subscription: sub });
    t.deepEqual(await store.getSubscription(sub.userId), sub);
    const cancelled = { ...sub, state: SubscriptionState.CANCELLED, version: 2, updateTime: T0 + 5 };
    await store.commit({ userId: sub.userId, subscription: cancelled });
    t.deepEqual(await store.getSubscription(sub.userId), cancelled);
  });

  test("invoices page newest first, ties broken by id, and a cursor resumes after its invoice", async (t) => {
    const { store } = await open();
    const userId = randomUUID();
    const other = randomUUID();
    const invoices = [0, 1, 2, 3, 4].map((n) => invoiceRecord(userId, T0 + n * 1000));
    // Two invoices issued in the same millisecond.
    const twin = invoiceRecord(userId, T0 + 2000);
    await store.commit({ userId, invoices: [...invoices, twin] });
    await store.commit({ userId: other, invoices: [invoiceRecord(other, T0 + 9000)] });
    const expected = [...invoices, twin].sort((a, b) =>
      a.createTime !== b.createTime ? b.createTime - a.createTime : a.invoiceId < b.invoiceId ? 1 : -1,
    );
    const first = await store.listInvoices(userId, 4);
    t.deepEqual(first, expected.slice(0, 4));
    const last = first[3];
    if (last === undefined) return t.fail("no fourth invoice");
    const rest = await store.listInvoices(userId, 4, {
      createTime: last.createTime,
      invoiceId: last.invoiceId,
    });
    t.deepEqual(rest, expected.slice(4));
    t.deepEqual(await store.listInvoices(randomUUID(), 10), []);
  });

  test("one commit writes subscription, invoices and idempotency record together", async (t) => {
    const { store } = await open();
    const sub = subscriptionRecord();
    const invoice = invoiceRecord(sub.userId, T0, { state: InvoiceState.DECLINED });
    const idempotency = {
      userId: sub.userId,
      key: "key-0001",
      fingerprint: "create:2:1",
      outcome: '{"ok":1}',
      createTime: T0,
    };
    await store.commit({ userId: sub.userId, subscription: sub, invoices: [invoice], idempotency });
    t.deepEqual(await store.getSubscription(sub.userId), sub);
    t.deepEqual(await store.listInvoices(sub.userId, 10), [invoice]);
    t.deepEqual(await store.getIdempotency(sub.userId, "key-0001"), idempotency);
    t.is(await store.getIdempotency(sub.userId, "key-0002"), undefined);
    t.is(await store.getIdempotency(randomUUID(), "key-0001"), undefined);
  });

  test("eraseUser removes every row of the member and nobody else's, and can run twice", async (t) => {
    const { store } = await open();
    const gone = subscriptionRecord();
    const kept = subscriptionRecord();
    for (const s of [gone, kept]) {
      await store.commit({
        userId: s.userId,
        subscription: s,
        invoices: [invoiceRecord(s.userId, T0), invoiceRecord(s.userId, T0 + 1)],
        idempotency: { userId: s.userId, key: "key-0001", fingerprint: "f", outcome: "{}", createTime: T0 },
      });
    }
    await store.eraseUser(gone.userId);
    await store.eraseUser(gone.userId);
    t.is(await store.getSubscription(gone.userId), undefined);
    t.deepEqual(await store.listInvoices(gone.userId, 10), []);
    t.is(await store.getIdempotency(gone.userId, "key-0001"), undefined);
    t.deepEqual(await store.getSubscription(kept.userId), kept);
    t.is((await store.listInvoices(kept.userId, 10)).length, 2);
    t.truthy(await store.getIdempotency(kept.userId, "key-0001"));
  });

  test("the member lock admits one holder at a time, also from another handle", async (t) => {
    const { store, sibling } = await open();
    const other = await sibling();
    const userId = randomUUID();
    let inside = 0;
    let most = 0;
    // Holders on both handles, each doing store I/O while it holds the lock.
    await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const handle = i % 2 === 0 ? store : other;
        const release = await handle.lock(userId, 20_000);
        inside++;
        most = Math.max(most, inside);
        await handle.getSubscription(userId);
        await handle.listInvoices(userId, 1);
        inside--;
        await release();
      }),
    );
    t.is(most, 1, "never two holders at once");
    // Another member is not blocked by a held lock; a busy one times out.
    const held = await store.lock(userId, 5_000);
    const free = await other.lock(randomUUID(), 5_000);
    await free();
    await t.throwsAsync(other.lock(userId, 50), { instanceOf: LockTimeoutError });
    await held();
    const again = await other.lock(userId, 5_000);
    await again();
  });
}
