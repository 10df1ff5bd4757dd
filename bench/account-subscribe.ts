/**
 * Account service latency on loopback: CreateSubscription (lock, idempotency
 * record, simulated charge, one commit, event) and GetEntitlement (one read)
 * over gRPC, against the embedded adapters (classic-level, embedded bus) and
 * the real ones (Cassandra, NATS JetStream), in the same run. The server runs
 * in this process; the Cassandra keyspace and JetStream namespace are fresh
 * and the keyspace is dropped at the end.
 *
 *   node --conditions=marquee-source --import tsx bench/account-subscribe.ts [--seconds 5] [--concurrency 16]
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Billing } from "@marquee/account/billing";
import { systemClock } from "@marquee/account/clock";
import { busSubscriptionEvents } from "@marquee/account/events";
import { ACCOUNT_MIGRATIONS } from "@marquee/account/migrations";
import { SimulatedPaymentProvider } from "@marquee/account/payments";
import { accountService } from "@marquee/account/service";
import type { AccountStore } from "@marquee/account/store";
import { createCassandraAccountStore } from "@marquee/account/store-cassandra";
import { openEmbeddedAccountStore } from "@marquee/account/store-embedded";
import {
  CALLER_HEADER,
  type Caller,
  createLogger,
  encodeCaller,
  loadBackendsConfig,
  serve,
} from "@marquee/kit";
import type { EventBus } from "@marquee/kit/bus";
import { createJetStreamBus } from "@marquee/kit/bus/jetstream";
import { openCassandra } from "@marquee/kit/cassandra";
import { EmbeddedBus } from "@marquee/kit/embedded";
import { AccountService, BillingCycle, PlanTier } from "@marquee/sdk/marquee/account/v1/account_service_pb";
import { Client } from "cassandra-driver";
import { measure, type Result } from "./lib/measure.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "5" },
    concurrency: { type: "string", default: "16" },
  },
});
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const log = createLogger("bench", "silent");
const backends = loadBackendsConfig();

async function run(name: string, store: AccountStore, bus: EventBus): Promise<Array<[string, Result]>> {
  const billing = new Billing({
    store,
    payments: new SimulatedPaymentProvider(),
    clock: systemClock,
    events: busSubscriptionEvents(bus),
    log,
  });
  const server = await serve({
    name: "account-bench",
    services: [AccountService],
    routes: (r) => r.service(AccountService, accountService(billing)),
    port: 0,
    host: "127.0.0.1",
    log,
  });
  const client = createClient(AccountService, createGrpcTransport({ baseUrl: server.url }));
  const callAs = (caller: Caller) => ({ headers: { [CALLER_HEADER]: encodeCaller(caller) } });
  const streaming = callAs({ kind: "internal", service: "streaming", scopes: [] });
  const subscribed: string[] = [];
  const subscribe = async () => {
    const userId = randomUUID();
    await client.createSubscription(
      {
        userId,
        tier: PlanTier.STANDARD,
        billingCycle: BillingCycle.MONTHLY,
        paymentToken: "tok_visa",
        idempotencyKey: `bench-${userId}`,
      },
      callAs({ kind: "member", userId, scopes: [] }),
    );
    subscribed.push(userId);
  };
  const entitlement = async () => {
    const userId = subscribed[Math.floor(Math.random() * subscribed.length)] as string;
    const e = await client.getEntitlement({ userId }, streaming);
    if (!e.active) throw new Error("expected an active entitlement");
  };
  try {
    await measure(subscribe, { seconds: Math.min(1, seconds), concurrency }); // warm-up
    const create = await measure(subscribe, { seconds, concurrency });
    await measure(entitlement, { seconds: Math.min(1, seconds), concurrency });
    const read = await measure(entitlement, { seconds, concurrency });
    return [
      [`${name}: CreateSubscription`, create],
      [`${name}: GetEntitlement`, read],
    ];
  } finally {
    await server.close();
    await bus.close();
    await store.close();
  }
}

const results: Array<[string, Result]> = [];
const dir = mkdtempSync(path.join(tmpdir(), "marquee-account-bench-"));
const keyspace = `marquee_account_bench_${randomBytes(4).toString("hex")}`;
try {
  results.push(
    ...(await run(
      "embedded",
      await openEmbeddedAccountStore(path.join(dir, "account")),
      await EmbeddedBus.open(path.join(dir, "bus"), log),
    )),
  );
  results.push(
    ...(await run(
      "cassandra",
      createCassandraAccountStore(
        await openCassandra({ config: backends.cassandra, keyspace, migrations: ACCOUNT_MIGRATIONS, log }),
      ),
      await createJetStreamBus({
        config: backends.nats,
        name: "account-bench",
        log,
        namespace: `b${randomBytes(4).toString("hex")}`,
      }),
    )),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
  const admin = new Client({
    contactPoints: backends.cassandra.contactPoints,
    localDataCenter: backends.cassandra.localDataCenter,
  });
  await admin.connect();
  await admin.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await admin.shutdown();
}

console.table(
  results.map(([name, r]) => ({
    path: name,
    "calls/s": Math.round(r.perSecond),
    "p50 ms": r.p50.toFixed(2),
    "p99 ms": r.p99.toFixed(2),
    calls: r.calls,
    errors: r.errors,
  })),
);
const p50 = Object.fromEntries(results.map(([name, r]) => [name, r.p50]));
console.log(
  `Cassandra/embedded p50 ratio — CreateSubscription: ${((p50["cassandra: CreateSubscription"] ?? 0) / (p50["embedded: CreateSubscription"] ?? 1)).toFixed(1)}x, GetEntitlement: ${((p50["cassandra: GetEntitlement"] ?? 0) / (p50["embedded: GetEntitlement"] ?? 1)).toFixed(1)}x — ${seconds}s per measurement, ${concurrency} calls in flight`,
);
