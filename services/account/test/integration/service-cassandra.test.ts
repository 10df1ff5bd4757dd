/**
 * The account service on the real backends: Cassandra (a fresh keyspace per
 * run, dropped after) and NATS JetStream (a fresh namespace). Two service
 * instances share the keyspace, as two processes of a deployment would.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { create, toBinary } from "@bufbuild/protobuf";
import { loadBackendsConfig } from "@marquee/kit";
import { createJetStreamBus } from "@marquee/kit/bus/jetstream";
import { openCassandra } from "@marquee/kit/cassandra";
import { waitFor } from "@marquee/kit/testing";
import {
  BillingCycle,
  PlanTier,
  SubscriptionState,
} from "@marquee/sdk/marquee/account/v1/account_service_pb";
import { UserDeletedSchema } from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import test from "ava";
import { Client } from "cassandra-driver";
import { ManualClock } from "../../src/clock.js";
import { ACCOUNT_MIGRATIONS } from "../../src/migrations.js";
import { createCassandraAccountStore } from "../../src/store-cassandra.js";
import { T0 } from "../fixtures.js";
import { type Harness, internal, log, member, startHarness } from "../harness.js";

const backends = loadBackendsConfig();
const keyspace = `marquee_account_test_${randomBytes(4).toString("hex")}`;
const namespace = `t${randomBytes(4).toString("hex")}`;
const clock = new ManualClock(T0);
const harnesses: Harness[] = [];
let admin: Client;

test.before(async () => {
  for (let i = 0; i < 2; i++) {
    const store = createCassandraAccountStore(
      await openCassandra({ config: backends.cassandra, keyspace, migrations: ACCOUNT_MIGRATIONS, log }),
    );
    const bus = await createJetStreamBus({
      config: backends.nats,
      name: `account-test-${i}`,
      log,
      namespace,
    });
    // Each instance has its own provider: only the shared store can keep them from charging twice.
    harnesses.push(await startHarness(store, bus, clock));
  }
  admin = new Client({
    contactPoints: backends.cassandra.contactPoints,
    localDataCenter: backends.cassandra.localDataCenter,
    keyspace,
  });
  await admin.connect();
});

test.after.always(async () => {
  for (const h of harnesses) await h.close();
  await admin?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await admin?.shutdown();
});

const [one, two] = [() => harnesses[0] as Harness, () => harnesses[1] as Harness];
const charges = () => harnesses.reduce((n, h) => n + h.payments.charges.length, 0);

async function rowsOf(userId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ["subscriptions", "invoices", "idempotency", "member_locks"]) {
    const rs = await admin.execute(`SELECT COUNT(*) AS n FROM ${table} WHERE user_id = ?`, [userId], {
      prepare: true,
    });
    counts[table] = Number(rs.first()?.n ?? 0);
  }
  return counts;
}

test.serial("concurrent retries across two instances bill once", async (t) => {
  const userId = randomUUID();
  const request = {
    userId,
    tier: PlanTier.STANDARD,
    billingCycle: BillingCycle.MONTHLY,
    paymentToken: "tok_visa",
    idempotencyKey: `key-${randomUUID()}`,
  };
  const before = charges();
  const results = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      (i % 2 ? one() : two()).client(member(userId)).createSubscription(request),
    ),
  );
  t.true(results.every((r) => r.invoice?.invoiceId === results[0]?.invoice?.invoiceId));
  t.is(charges() - before, 1);
  t.is((await rowsOf(userId)).invoices, 1);
});

test.serial("lifecycle on Cassandra, then user.deleted leaves no row of the member", async (t) => {
  const userId = randomUUID();
  const me = one().client(member(userId));
  const created = await me.createSubscription({
    userId,
    tier: PlanTier.BASIC,
    billingCycle: BillingCycle.MONTHLY,
    paymentToken: "tok_visa",
    idempotencyKey: `key-${randomUUID()}`,
  });
  clock.advance(86_400_000);
  const up = await two()
    .client(member(userId))
    .updateSubscription({ userId, tier: PlanTier.PREMIUM, idempotencyKey: `key-${randomUUID()}` });
  t.true((up.invoice?.amount?.amountMinor ?? 0n) > 0n);
  await me.updateSubscription({
    userId,
    billingCycle: BillingCycle.YEARLY,
    idempotencyKey: `key-${randomUUID()}`,
  });
  const history = await me.getBillingHistory({ userId, pageSize: 1 });
  const older = await me.getBillingHistory({ userId, pageSize: 1, pageToken: history.nextPageToken });
  t.deepEqual(
    [...history.invoices, ...older.invoices].map((i) => i.invoiceId),
    [up.invoice?.invoiceId, created.invoice?.invoiceId],
  );
  const cancelled = await me.cancelSubscription({ userId });
  t.is(cancelled.subscription?.state, SubscriptionState.CANCELLED);
  t.true((await two().client(internal).getEntitlement({ userId })).active);
  t.like(await rowsOf(userId), { subscriptions: 1, invoices: 2, idempotency: 3, member_locks: 0 });

  const event = toBinary(UserDeletedSchema, create(UserDeletedSchema, { userId }));
  await one().bus.publish("user.deleted", event, `user.deleted:${userId}`);
  await waitFor("every row of the member to go", async () =>
    Object.values(await rowsOf(userId)).every((n) => n === 0),
  );
  t.false((await two().client(internal).getEntitlement({ userId })).active);
  t.pass();
});
