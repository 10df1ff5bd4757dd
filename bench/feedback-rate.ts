/**
 * RateContent throughput and latency with exact per-title aggregates, on the
 * embedded store (classic-level + embedded bus) and on Cassandra + NATS
 * JetStream, in one run. Each setup is measured twice: the handler's work
 * called directly (store with aggregates, then the event), and RateContent
 * through the real handlers on a loopback gRPC server. Two workloads:
 *   spread  many profiles rating many titles (little contention)
 *   hot     many profiles rating and changing ONE title (every call contends
 *           for that title's aggregates: TITLE_SHARDS compare-and-set rows)
 * After each run the served aggregate is checked against a recount. The
 * catalog check (a cached GetContentDetails) is left out: every title counts as visible.
 *
 *   node --conditions=marquee-source --import tsx bench/feedback-rate.ts [--seconds 8] [--concurrency 16]
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { busRatingEvents } from "@marquee/feedback/events";
import { feedbackService } from "@marquee/feedback/service";
import type { FeedbackStore } from "@marquee/feedback/store";
import { openCassandraFeedbackStore } from "@marquee/feedback/store-cassandra";
import { openEmbeddedFeedbackStore } from "@marquee/feedback/store-embedded";
import {
  CALLER_HEADER,
  createLogger,
  createServiceClient,
  encodeCaller,
  loadBackendsConfig,
  OPEN_CATALOG,
  serve,
} from "@marquee/kit";
import type { EventBus } from "@marquee/kit/bus";
import { connectNats, createJetStreamBus, natsManager } from "@marquee/kit/bus/jetstream";
import { EmbeddedBus } from "@marquee/kit/embedded";
import { FeedbackService, RatingValue } from "@marquee/sdk/marquee/feedback/v1/feedback_service_pb";
import { Client as Cassandra } from "cassandra-driver";
import { measure, type Result } from "./lib/measure.js";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "8" }, concurrency: { type: "string", default: "16" } },
});
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const log = createLogger("bench", "silent");
const backends = loadBackendsConfig({ ...process.env, MARQUEE_BACKENDS: "external" });

interface Setup {
  name: string;
  store: FeedbackStore;
  bus: EventBus;
  cleanup: () => Promise<void>;
}

async function embedded(): Promise<Setup> {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-bench-feedback-"));
  const store = await openEmbeddedFeedbackStore(path.join(dir, "store"));
  const bus = await EmbeddedBus.open(path.join(dir, "bus"), log);
  return { name: "embedded", store, bus, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
}

async function cassandra(): Promise<Setup> {
  const suffix = randomBytes(4).toString("hex");
  const keyspace = `marquee_bench_feedback_${suffix}`;
  const namespace = `bench${suffix}`;
  const store = await openCassandraFeedbackStore({ config: backends.cassandra, keyspace, log });
  const bus = await createJetStreamBus({ config: backends.nats, name: "bench", log, namespace });
  return {
    name: "cassandra+jetstream",
    store,
    bus,
    cleanup: async () => {
      const admin = new Cassandra({
        contactPoints: backends.cassandra.contactPoints,
        localDataCenter: backends.cassandra.localDataCenter,
      });
      await admin.connect();
      await admin.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
      await admin.shutdown();
      const nc = await connectNats(backends.nats, "bench-cleanup");
      const jsm = await natsManager(nc);
      for (const stream of ["PLAYBACK", "DOMAIN"])
        await jsm.streams.delete(`${namespace.toUpperCase()}_${stream}`);
      await nc.close();
    },
  };
}

const VALUES = [RatingValue.THUMBS_DOWN, RatingValue.THUMBS_UP, RatingValue.DOUBLE_THUMBS_UP];
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)] as T;
const headers = (profileId: string) => ({
  headers: { [CALLER_HEADER]: encodeCaller({ kind: "member", userId: "u", profileId, scopes: [] }) },
});

/** Runs one workload through `rate`, then checks the served counts of the titles against a recount. */
async function workload(
  rate: (profileId: string, contentId: string, value: RatingValue) => Promise<unknown>,
  store: FeedbackStore,
  titles: string[],
  profiles: string[],
): Promise<{ result: Result; exact: boolean }> {
  const result = await measure(() => rate(pick(profiles), pick(titles), pick(VALUES)), {
    seconds,
    concurrency,
  });
  let exact = true;
  for (const contentId of titles.slice(0, 20)) {
    const [served, recount] = await Promise.all([
      store.contentRatings(contentId),
      store.recountContentRatings(contentId),
    ]);
    exact &&= JSON.stringify(served) === JSON.stringify(recount);
  }
  return { result, exact };
}

const rows: { setup: string; workload: string; result: Result; exact: boolean }[] = [];
for (const open of [embedded, cassandra]) {
  const setup = await open();
  const server = await serve({
    name: "feedback",
    services: [FeedbackService],
    routes: (r) =>
      r.service(
        FeedbackService,
        feedbackService({ store: setup.store, events: busRatingEvents(setup.bus), catalog: OPEN_CATALOG }),
      ),
    host: "127.0.0.1",
    port: 0,
    log,
  });
  try {
    const client = createServiceClient(FeedbackService, server.url);
    const events = busRatingEvents(setup.bus);
    const profiles = Array.from({ length: 5_000 }, () => randomUUID());
    const titles = Array.from({ length: 500 }, () => randomUUID());
    const overRpc = (profileId: string, contentId: string, value: RatingValue) =>
      client.rateContent({ profileId, contentId, value }, headers(profileId));
    // The handler's work without the RPC layer: store (with aggregates) and event.
    const direct = async (profileId: string, contentId: string, value: RatingValue) => {
      const change = await setup.store.setRating(profileId, contentId, value, new Date());
      if (change) await events.published(change);
    };
    const hotProfiles = profiles.slice(0, 300);
    // Warm-up (JIT, validators, connections, prepared statements), not measured.
    await measure(() => overRpc(pick(profiles), pick(titles), pick(VALUES)), { seconds: 1, concurrency });
    for (const [name, rate] of [
      ["store+event", direct],
      ["RateContent RPC", overRpc],
    ] as const) {
      const spread = await workload(rate, setup.store, titles, profiles);
      rows.push({ setup: setup.name, workload: `${name}, spread`, ...spread });
      // A few hundred profiles on one title: many calls change an existing rating.
      const hot = await workload(rate, setup.store, [randomUUID()], hotProfiles);
      rows.push({ setup: setup.name, workload: `${name}, hot title`, ...hot });
    }
  } finally {
    await server.close();
    await setup.bus.close();
    await setup.store.close();
    await setup.cleanup();
  }
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "-");
console.log(
  `\nRating writes with exact per-title aggregates and a rating.submitted event; ${concurrency} callers, ${seconds} s each.\n` +
    "store+event: the handler's work called directly; RateContent RPC: the same through a gRPC server and client.\n",
);
console.log(
  "setup                 workload                      calls/s     p50 ms   p99 ms   errors  aggregates = recount",
);
for (const r of rows) {
  console.log(
    `${r.setup.padEnd(22)}${r.workload.padEnd(30)}${fmt(r.result.perSecond).padStart(8)}${fmt(r.result.p50).padStart(11)}${fmt(r.result.p99).padStart(9)}${String(r.result.errors).padStart(9)}  ${r.exact ? "yes" : "NO"}`,
  );
}
for (const r of rows.filter((x) => x.setup !== "embedded")) {
  const base = rows.find((x) => x.setup === "embedded" && x.workload === r.workload);
  if (base) {
    console.log(
      `${r.setup} / embedded, ${r.workload}: ${(r.result.perSecond / base.result.perSecond).toFixed(2)}x throughput`,
    );
  }
}
