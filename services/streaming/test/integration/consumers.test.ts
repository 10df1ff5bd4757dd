import { randomBytes, randomUUID } from "node:crypto";
import { create, toBinary } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { createLogger, loadBackendsConfig } from "@marquee/kit";
import { EVENTS, encodeEvent } from "@marquee/kit/bus";
import { connectNats, createJetStreamBus, natsManager } from "@marquee/kit/bus/jetstream";
import { waitFor } from "@marquee/kit/testing";
import { PlaybackHeartbeatSchema } from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import test from "ava";
import { startStreamingConsumers } from "../../src/consumers.js";
import { uuidv7 } from "../../src/playback/session-id.js";
import { CassandraStreamingStore } from "../../src/store-cassandra.js";
import { freshKeyspace } from "./keyspace.js";

const backends = loadBackendsConfig();

test("streaming-consumers on its own serves health and writes the reports it consumes, and heartbeats from before reports", async (t) => {
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
  const session = { sessionId, profileId, contentId, userId: randomUUID(), deviceId: "tv" };
  const reading = (seq: number) => ({
    sequence: BigInt(seq),
    eventTime: timestampFromMs(t0 + seq * 10_000),
    position: durationFromMs(100_000 + seq * 10_000),
    state: 1,
  });
  for (const seqs of [[1, 2], [3]]) {
    await bus.publish(
      EVENTS.playbackReport.subject(profileId),
      encodeEvent(EVENTS.playbackReport, {
        ...session,
        duration: durationFromMs(1_000_000),
        readings: seqs.map(reading),
      }),
      `${sessionId}:${seqs[0]}-${seqs.at(-1)}`,
    );
  }
  await waitFor("both reports durable", () => durable.size === 2, 30_000);
  const read = async () =>
    Number(
      (
        await ks.client.execute(
          "SELECT position_ms FROM playback_progress WHERE profile_id = ? AND content_id = ?",
          [profileId, contentId],
          { prepare: true },
        )
      ).first()?.position_ms,
    );
  t.is(await read(), 130_000);

  // Published before the upgrade to reports: read as a report of its one reading.
  const legacy = create(PlaybackHeartbeatSchema, {
    ...session,
    ...reading(4),
    duration: durationFromMs(1_000_000),
  });
  await bus.publish(
    EVENTS.playbackReport.subject(profileId),
    toBinary(PlaybackHeartbeatSchema, legacy),
    `${sessionId}:4`,
  );
  await waitFor("the heartbeat durable", () => durable.has(`${sessionId}:4`), 30_000);
  t.is(await read(), 140_000);
});
