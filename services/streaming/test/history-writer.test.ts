import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { createLogger } from "@marquee/kit";
import { EVENTS, encodeEvent } from "@marquee/kit/bus";
import { EmbeddedBus } from "@marquee/kit/embedded";
import { waitFor } from "@marquee/kit/testing";
import { PlaybackHeartbeatSchema } from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import test, { type ExecutionContext } from "ava";
import type { ProgressWrite } from "../src/history/history-store.js";
import { startHistoryWriter } from "../src/history/writer.js";
import { uuidv7 } from "../src/playback/session-id.js";
import { EmbeddedStreamingStore } from "../src/store-embedded.js";

const log = createLogger("test", "silent");
const DURATION_MS = 1_000_000;
const T0 = Date.now() - 3_600_000;

/** A history writer on an embedded bus and store, with every progress write it makes kept. */
async function openWriter(t: ExecutionContext) {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-history-writer-"));
  const bus = await EmbeddedBus.open(path.join(dir, "bus"), log);
  const store = await EmbeddedStreamingStore.open(path.join(dir, "store"));
  const writes: ProgressWrite[] = [];
  const recordProgress = store.recordProgress.bind(store);
  store.recordProgress = (w) => {
    writes.push(w);
    return recordProgress(w);
  };
  /** msgId → the readings of each time the writer made it durable. */
  const durable = new Map<string, number[]>();
  const sub = await startHistoryWriter({
    bus,
    store,
    log,
    onDurable: (e, readings) => durable.set(e.msgId, [...(durable.get(e.msgId) ?? []), readings]),
  });
  t.teardown(async () => {
    await sub.stop();
    await bus.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const viewer = { sessionId: uuidv7(T0), profileId: randomUUID(), contentId: randomUUID() };
  return {
    bus,
    store,
    writes,
    durable,
    viewer,
    /** Publishes a report of [sequence, seconds after T0, position in seconds] readings; resolves to its msgId. */
    async report(readings: Array<[number, number, number]>) {
      const msgId = `${viewer.sessionId}:${readings[0]?.[0]}-${readings.at(-1)?.[0]}`;
      const data = encodeEvent(EVENTS.playbackReport, {
        ...viewer,
        userId: "u",
        duration: durationFromMs(DURATION_MS),
        deviceId: "tv",
        readings: readings.map(([sequence, at, position]) => ({
          sequence: BigInt(sequence),
          eventTime: timestampFromMs(T0 + at * 1000),
          position: durationFromMs(position * 1000),
          state: 1,
        })),
      });
      await bus.publish(EVENTS.playbackReport.subject(viewer.profileId), data, msgId);
      return msgId;
    },
    async progress() {
      const p = await store.getProgress(viewer.profileId, viewer.contentId);
      return p && { positionMs: p.positionMs, updateTime: p.updateTime.getTime() };
    },
    async history() {
      const page = await store.listHistory(viewer.profileId, 10, undefined, Date.now(), 13);
      return page.entries.map((e) => e.positionMs);
    },
  };
}

test("a report of many readings is written once, as its newest reading's progress", async (t) => {
  const w = await openWriter(t);
  const id = await w.report([
    [1, 10, 100],
    [2, 20, 110],
    [3, 30, 120],
    [4, 40, 130],
  ]);
  await waitFor("the report durable", () => w.durable.has(id));
  t.deepEqual(w.durable.get(id), [4], "one event, four readings");
  t.is(w.writes.length, 1);
  t.deepEqual(await w.progress(), { positionMs: 130_000, updateTime: T0 + 40_000 });
  t.deepEqual(await w.history(), [130_000]);
});

test("a reading under 5% saves nothing, so the newest reading of its report that saves is written", async (t) => {
  const w = await openWriter(t);
  // Seeked back to the start (1%) after watching to 30%: as one by one, the 30% reading stays.
  const id = await w.report([
    [1, 10, 300],
    [2, 20, 10],
  ]);
  await waitFor("the report durable", () => w.durable.has(id));
  t.deepEqual(await w.progress(), { positionMs: 300_000, updateTime: T0 + 10_000 });
  const early = await w.report([[3, 30, 20]]);
  await waitFor("the early report durable", () => w.durable.has(early));
  t.is(w.writes.length, 1, "a report with nothing to save writes nothing");
});

test("reports arriving out of order never move progress or history backwards", async (t) => {
  const w = await openWriter(t);
  const late = await w.report([
    [4, 40, 140],
    [5, 50, 150],
  ]);
  await waitFor("the newer report durable", () => w.durable.has(late));
  const early = await w.report([
    [1, 10, 110],
    [2, 20, 120],
    [3, 30, 130],
  ]);
  await waitFor("the older report durable", () => w.durable.has(early));
  t.deepEqual(await w.progress(), { positionMs: 150_000, updateTime: T0 + 50_000 });
  t.deepEqual(await w.history(), [150_000]);
});

test("a PlaybackHeartbeat from before reports, still on the stream, is written as a report of one", async (t) => {
  const w = await openWriter(t);
  const heartbeat = create(PlaybackHeartbeatSchema, {
    ...w.viewer,
    sequence: 7n,
    userId: "u",
    eventTime: timestampFromMs(T0 + 70_000),
    position: durationFromMs(170_000),
    duration: durationFromMs(DURATION_MS),
    state: 1,
    deviceId: "tv",
  });
  const id = `${w.viewer.sessionId}:7`;
  await w.bus.publish(
    EVENTS.playbackReport.subject(w.viewer.profileId),
    toBinary(PlaybackHeartbeatSchema, heartbeat),
    id,
  );
  await waitFor("the heartbeat durable", () => w.durable.has(id));
  t.deepEqual(w.durable.get(id), [1]);
  t.deepEqual(await w.progress(), { positionMs: 170_000, updateTime: T0 + 70_000 });
  t.like(w.writes[0], { sessionId: w.viewer.sessionId, deviceId: "tv", durationMs: DURATION_MS });
});
