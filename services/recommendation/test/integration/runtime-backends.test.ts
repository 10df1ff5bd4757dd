import { randomBytes, randomUUID } from "node:crypto";
import { createLogger, loadBackendsConfig } from "@marquee/kit";
import type { EventBus } from "@marquee/kit/bus";
import { createJetStreamBus } from "@marquee/kit/bus/jetstream";
import { waitFor } from "@marquee/kit/testing";
import test from "ava";
import { Client } from "cassandra-driver";
import { startRuntime } from "../../src/runtime.js";
import type { TasteStore } from "../../src/store.js";
import { openCassandraStore } from "../../src/store-cassandra.js";
import {
  type Event,
  profileDeletedEvent,
  ratingEvent,
  reportEvent,
  userDeletedEvent,
  visibilityEvent,
} from "../events.js";
import { FakeCatalog, titleFacts } from "../harness.js";

const backends = loadBackendsConfig();
const log = createLogger("test", "silent");
const keyspace = `marquee_test_reco_${randomBytes(4).toString("hex")}`;

test.after.always(async () => {
  const admin = new Client({
    contactPoints: backends.cassandra.contactPoints,
    localDataCenter: backends.cassandra.localDataCenter,
  });
  await admin.connect();
  await admin.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await admin.shutdown();
});

/**
 * The whole pipeline on the real backends: events published on JetStream
 * reach the durable consumers, land in Cassandra and in the model; a
 * restart rebuilds the model from Cassandra and resumes the consumers.
 */
test("JetStream events feed Cassandra and the model; deletions erase; a restart rebuilds from Cassandra", async (t) => {
  const namespace = `t${randomBytes(4).toString("hex")}`;
  const catalog = new FakeCatalog();
  const openBus = () => createJetStreamBus({ config: backends.nats, name: "reco-test", log, namespace });
  const boot = async () => {
    const store = await openCassandraStore({ config: backends.cassandra, keyspace, log });
    const bus = await openBus();
    const runtime = await startRuntime({
      store,
      bus,
      source: catalog,
      log,
      rebuildIntervalMs: 3_600_000,
      retrainIntervalMs: 100,
      catalogSyncIntervalMs: 3_600_000,
    });
    return { store, bus, runtime };
  };
  const stop = async (s: { store: TasteStore; bus: EventBus; runtime: { stop(): Promise<void> } }) => {
    await s.runtime.stop();
    await s.bus.close();
    await s.store.close();
  };
  let running = await boot();
  t.teardown(() => stop(running));
  const publish = ([subject, data]: Event) => running.bus.publish(subject, data, randomUUID());
  const model = () => running.runtime.engine.model;

  const a = titleFacts({ title: "Alpha", genreIds: ["drama"], maturity: 2 });
  const b = titleFacts({ title: "Beta", genreIds: ["drama"], maturity: 2 });
  for (const f of [a, b]) {
    catalog.titles.set(f.contentId, { ...f, published: true });
    await publish(visibilityEvent(f.contentId, true, f.maturity, Date.now()));
  }
  const [fan, gone, family] = [randomUUID(), randomUUID(), randomUUID()];
  await publish(ratingEvent(fan, a.contentId, 3, Date.now()));
  await publish(reportEvent(fan, b.contentId, 0.95));
  await publish(ratingEvent(gone, a.contentId, 2, Date.now()));
  await publish(reportEvent(family, a.contentId, 0.1, { stopped: true }));
  await waitFor(
    "events in the model",
    () =>
      model().titleOf(b.contentId)?.published &&
      model().profile(fan)?.items.length === 2 &&
      model().profile(gone) &&
      model().profile(family),
    30_000,
  );
  t.like(await running.store.getInteraction(fan, b.contentId), { completed: true, viewFraction: 0.95 });
  t.like(await running.store.getInteraction(family, a.contentId), { abandoned: true, completed: false });
  t.is(model().positives(model().indexOf(a.contentId) as number), 2);

  await publish(profileDeletedEvent(gone));
  await publish(userDeletedEvent([family]));
  await waitFor(
    "erasures",
    () => model().profile(gone) === undefined && model().profile(family) === undefined,
    30_000,
  );
  t.deepEqual(await running.store.profileInteractions(gone), []);
  t.deepEqual(await running.store.profileInteractions(family), []);

  await stop(running);
  running = await boot();
  t.is(
    model().positives(model().indexOf(a.contentId) as number),
    1,
    "rebuilt from Cassandra: only the fan is left",
  );
  t.is(model().profile(gone), undefined);
  t.true(model().titleOf(a.contentId)?.published);
  // The durable consumers resume where they stopped: a new rating after the restart is learned.
  await publish(ratingEvent(fan, a.contentId, 1, Date.now()));
  await waitFor(
    "new rating after restart",
    () => model().positives(model().indexOf(a.contentId) as number) === 0,
    30_000,
  );
});
