import { fromJson } from "@bufbuild/protobuf";
import { DurationSchema, durationMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { validateMessage } from "@marquee/kit";
import {
  PlaybackState,
  SendHeartbeatsRequestSchema,
} from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import test from "ava";
import { type Heartbeat, MAX_QUEUED } from "../src/player/heartbeats.js";
import {
  durationJson,
  heartbeatsBody,
  KEEPALIVE_QUOTA,
  keepaliveCall,
  keepaliveRoom,
  SEND_HEARTBEATS,
} from "../src/player/keepalive.js";

const sessionId = "5b0e7c1e-6a1a-4e8f-9a43-4a7f0e1b2c3d";

const beat = (over: Partial<Heartbeat> = {}): Heartbeat => ({
  sequence: 7,
  eventTimeMs: Date.UTC(2026, 10, 23, 21, 0, 0, 250),
  reason: "hide",
  positionSeconds: 83.4567,
  state: "paused",
  renditionId: "720p",
  bitrateBps: 2_500_000,
  bufferSeconds: 21.5,
  droppedFrames: 4,
  throughputBps: 8_000_000,
  ...over,
});

/** `count` readings with rising sequence numbers, a second apart. */
const readings = (count: number, over: Partial<Heartbeat> = {}) =>
  Array.from({ length: count }, (_, i) =>
    beat({ sequence: i + 1, eventTimeMs: Date.UTC(2026, 10, 23, 21) + i * 1000, ...over }),
  );

const parse = (json: string) => fromJson(SendHeartbeatsRequestSchema, JSON.parse(json));
const utf8Bytes = (text: string) => Buffer.byteLength(text, "utf8");

test("the keepalive report is a valid SendHeartbeatsRequest in Protobuf JSON", (t) => {
  const { json, count } = heartbeatsBody(
    sessionId,
    [beat({ sequence: 6, reason: "interval", state: "playing" }), beat()],
    keepaliveRoom(false),
  );
  t.is(count, 2);
  const msg = parse(json);
  t.is(msg.sessionId, sessionId);
  t.deepEqual(
    msg.readings.map((r) => [r.sequence, r.state]),
    [
      [6n, PlaybackState.PLAYING],
      [7n, PlaybackState.PAUSED],
    ],
  );
  const r = msg.readings[1];
  t.is(timestampMs(r?.eventTime ?? ({ seconds: 0n, nanos: 0 } as never)), beat().eventTimeMs);
  t.is(Number(durationMs(r?.position ?? ({} as never))), 83_457, "rounded to the millisecond");
  t.is(r?.renditionId, "720p");
  t.is(r?.bitrateBps, 2_500_000n);
  t.is(r?.measuredThroughputBps, 8_000_000n);
  t.is(r?.droppedFrames, 4n);
  t.is(r?.bufferSeconds, 21.5);
  // The same protovalidate rules the streaming service enforces.
  t.notThrows(() => validateMessage(SendHeartbeatsRequestSchema, msg));
});

test("a full queue of readings fits in one keepalive report, even with the heaviest rendition ids", (t) => {
  // Control characters are six bytes each in JSON.
  const heavy = readings(MAX_QUEUED, { sequence: 2 ** 40, renditionId: "\u0001".repeat(40) });
  const { json, count } = heartbeatsBody(sessionId, heavy, keepaliveRoom(false));
  t.is(count, MAX_QUEUED);
  t.true(utf8Bytes(json) <= keepaliveRoom(false), `${utf8Bytes(json)} bytes`);
  t.notThrows(() => validateMessage(SendHeartbeatsRequestSchema, parse(json)));
});

/** Holds keepalive calls in flight until `answer` is called. */
function heldFetch(t: { teardown: (fn: () => void) => void }) {
  const realFetch = globalThis.fetch;
  const answers: ((res: Response) => void)[] = [];
  globalThis.fetch = () => new Promise<Response>((resolve) => answers.push(resolve));
  t.teardown(() => {
    globalThis.fetch = realFetch;
  });
  return { answer: () => answers.shift()?.(new Response("{}", { status: 200 })) };
}

test.serial(
  "a hide report in flight leaves the final report room for the newest readings and its STOPPED one",
  async (t) => {
    const held = heldFetch(t);
    const heavy = readings(MAX_QUEUED, {
      reason: "interval",
      state: "playing",
      renditionId: "\u0001".repeat(40),
    });
    const empty = keepaliveRoom(true);
    t.is(empty, KEEPALIVE_QUOTA, "nothing in flight: the final report may take the whole quota");
    const hide = heartbeatsBody(sessionId, heavy, keepaliveRoom(false));
    t.is(hide.count, MAX_QUEUED);
    const pending = keepaliveCall("http://player.test", SEND_HEARTBEATS, hide.json, "token");
    t.is(keepaliveRoom(true), empty - utf8Bytes(hide.json), "the hide report's bytes are in flight");

    // pagehide right after visibilitychange: the same readings again, and the last one, STOPPED.
    const stopped = beat({
      sequence: MAX_QUEUED + 1,
      reason: "stop",
      state: "stopped",
      renditionId: "\u0001".repeat(40),
    });
    const all = [...heavy, stopped];
    const room = keepaliveRoom(true);
    const final = heartbeatsBody(sessionId, all, room);
    t.true(final.count > 1 && final.count < all.length, `${final.count} readings`);
    t.true(utf8Bytes(hide.json) + utf8Bytes(final.json) <= KEEPALIVE_QUOTA, "both within 64 KiB");
    const sent = parse(final.json).readings;
    t.deepEqual(
      sent.map((r) => Number(r.sequence)),
      all.slice(all.length - final.count).map((b) => b.sequence),
      "the newest readings, in order",
    );
    t.is(sent.at(-1)?.state, PlaybackState.STOPPED, "the STOPPED reading is last");
    t.notThrows(() => validateMessage(SendHeartbeatsRequestSchema, parse(final.json)));
    const oneMore = heartbeatsBody(
      sessionId,
      all.slice(all.length - final.count - 1),
      Number.POSITIVE_INFINITY,
    );
    t.true(utf8Bytes(oneMore.json) > room, "as many as fit");

    held.answer();
    t.is(await pending, 200);
    t.is(keepaliveRoom(true), empty, "answered: no longer in flight");
  },
);

test.serial("hide reports leave room for a final report of the heaviest STOPPED reading", async (t) => {
  const held = heldFetch(t);
  // Hide reports in flight that took all the room they had.
  const first = keepaliveCall(
    "http://player.test",
    SEND_HEARTBEATS,
    "x".repeat(keepaliveRoom(false) - 100),
    "",
  );
  const second = keepaliveCall("http://player.test", SEND_HEARTBEATS, "x".repeat(keepaliveRoom(false)), "");
  t.is(keepaliveRoom(false), 0);
  const heaviest = beat({
    sequence: Number.MAX_SAFE_INTEGER,
    eventTimeMs: Date.UTC(9999, 11, 31, 23, 59, 59, 999),
    positionSeconds: 99_999_999.999,
    state: "stopped",
    reason: "stop",
    renditionId: "\u0001".repeat(40),
    bitrateBps: Number.MAX_SAFE_INTEGER,
    bufferSeconds: 599.123456789012,
    droppedFrames: Number.MAX_SAFE_INTEGER,
    throughputBps: Number.MAX_SAFE_INTEGER,
  });
  const final = heartbeatsBody(sessionId, [heaviest], keepaliveRoom(true));
  t.is(final.count, 1, `${keepaliveRoom(true)} bytes left`);
  t.is(parse(final.json).readings[0]?.state, PlaybackState.STOPPED);
  held.answer();
  held.answer();
  await Promise.all([first, second]);
  t.is(keepaliveRoom(true), KEEPALIVE_QUOTA);
});

test("a limit is honoured to the byte", (t) => {
  const all = readings(5);
  const one = heartbeatsBody(sessionId, all.slice(-1), Number.POSITIVE_INFINITY).json;
  const two = heartbeatsBody(sessionId, all.slice(-2), Number.POSITIVE_INFINITY).json;
  t.is(heartbeatsBody(sessionId, all, utf8Bytes(two)).count, 2);
  t.is(heartbeatsBody(sessionId, all, utf8Bytes(two) - 1).count, 1);
  t.deepEqual(heartbeatsBody(sessionId, all, utf8Bytes(one) - 1), {
    json: `{"sessionId":"${sessionId}","readings":[]}`,
    count: 0,
  });
});

test("durations in JSON form", (t) => {
  t.is(durationJson(0), "0s");
  t.is(durationJson(12.5), "12.5s");
  t.is(durationJson(-3), "0s");
  t.is(Number(durationMs(fromJson(DurationSchema, durationJson(61.25)))), 61_250);
});
