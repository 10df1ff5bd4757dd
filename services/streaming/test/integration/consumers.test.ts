import { randomBytes, randomUUID } from "node:crypto";
import { create, toBinary } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { createLogger, loadBackendsConfig } from "@marquee/kit";
import { connectNats, createJetStreamBus, natsManager } from "@marquee/kit/bus/jetstream";
import { waitFor } from "@marquee/kit/testing";
import { PlaybackHeartbeatSchema } from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import test from "ava";
import { startStreamingConsumers } from "../../src/consumers.js";
import { uuidv7 } from "../../src/playback/session-id.js";
import { CassandraStreamingStore } from "../../src/store-cassandra.js";
import { freshKeyspace } from "./keyspace.js";

const backends = loadBackendsConfig();

test("streaming-consumers on its own serves health and writes the heartbeats it consumes", async (t) => {
  const ks = await freshKeyspace();
  t.teardown(() => ks.drop());
  const namespace = `t${randomBytes(4).toString("hex")}`;
  const log = createLogger("test", "silent");
  const bus = await createJetStreamBus({ config: backends.nats, name: "consumers-test", log, namespace });
  t.teardown(async () => {
    await bus.close();
    const nc = await connectNats(backends.nats, "cleanup");
    const jsm = await natsManager(nc);
    for (const s of ["PLAYBACK", "DOMAIN"])
      await jsm.streams.delete(`${namespace.toUpperCase()}_${s}`).catch(() => {});
    await nc.close();
  });
  const durable = new Set<string>();
  const server = await startStreamingConsumers(
    {
      ...process.env,
      MARQUEE_BACKENDS: "external",
      MARQUEE_STREAMING_CONSUMERS_PORT: "0",
      MARQUEE_LOG_LEVEL: "silent",
    },
    { store: new CassandraStreamingStore(ks.client), bus, onDurable: (e) => durable.add(e.msgId) },
  );
  t.teardown(() => server.close());

  const health = await fetch(`${server.url}/grpc.health.v1.Health/Check`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  t.deepEqual(await health.json(), { status: "SERVING" });

  const t0 = Date.now() - 60_000;
  const profileId = randomUUID();
  const contentId = randomUUID();
  const sessionId = uuidv7(t0);
  for (const seq of [1, 2, 3]) {
    const hb = create(PlaybackHeartbeatSchema, {
      sessionId,
      profileId,
      contentId,
      userId: randomUUID(),
      sequence: BigInt(seq),
      eventTime: timestampFromMs(t0 + seq * 10_000),
      position: durationFromMs(100_000 + seq * 10_000),
      duration: durationFromMs(1_000_000),
      state: 1,
      deviceId: "tv",
    });
    await bus.publish(
      `playback.heartbeat.${profileId}`,
      toBinary(PlaybackHeartbeatSchema, hb),
      `${sessionId}:${seq}`,
    );
  }
  await waitFor("three heartbeats durable", () => durable.size === 3, 30_000);
  const row = await ks.client.execute(
    "SELECT position_ms FROM playback_progress WHERE profile_id = ? AND content_id = ?",
    [profileId, contentId],
    { prepare: true },
  );
  t.is(Number(row.first()?.position_ms), 130_000);
});
