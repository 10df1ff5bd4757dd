import { fromJson } from "@bufbuild/protobuf";
import { durationMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { validateMessage } from "@marquee/kit";
import {
  PlaybackState,
  SendHeartbeatsRequestSchema,
  StopStreamRequestSchema,
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
    keepaliveRoom(),
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
  const { json, count } = heartbeatsBody(sessionId, heavy, keepaliveRoom());
  t.is(count, MAX_QUEUED);
  t.true(utf8Bytes(json) <= keepaliveRoom(), `${utf8Bytes(json)} bytes`);
  t.notThrows(() => validateMessage(SendHeartbeatsRequestSchema, parse(json)));
});

test.serial("a keepalive report takes only the room the quota leaves beside those in flight", async (t) => {
  const realFetch = globalThis.fetch;
  let answer: (res: Response) => void = () => undefined;
  globalThis.fetch = () => new Promise<Response>((resolve) => (answer = resolve));
  t.teardown(() => {
    globalThis.fetch = realFetch;
  });
  const heavy = readings(MAX_QUEUED, { renditionId: "\u0001".repeat(40) });
  const empty = keepaliveRoom();
  const first = heartbeatsBody(sessionId, heavy, keepaliveRoom());
  const pending = keepaliveCall("http://player.test", SEND_HEARTBEATS, first.json, "token");
  const room = keepaliveRoom();
  t.is(room, empty - utf8Bytes(first.json), "the first report's bytes are in flight");

  // A second report (pagehide after visibilitychange) while the first is in flight.
  const second = heartbeatsBody(sessionId, heavy, room);
  t.true(second.count > 0 && second.count < MAX_QUEUED, `${second.count} readings`);
  t.true(utf8Bytes(second.json) <= room, `${utf8Bytes(second.json)} bytes`);
  t.true(
    utf8Bytes(first.json) + utf8Bytes(second.json) <= KEEPALIVE_QUOTA - 512,
    "both and a StopStream within 64 KiB",
  );
  t.deepEqual(
    parse(second.json).readings.map((r) => Number(r.sequence)),
    heavy.slice(MAX_QUEUED - second.count).map((b) => b.sequence),
    "the newest readings, in order",
  );
  const oneMore = heartbeatsBody(
    sessionId,
    heavy.slice(MAX_QUEUED - second.count - 1),
    Number.POSITIVE_INFINITY,
  );
  t.true(utf8Bytes(oneMore.json) > room, "as many as fit");

  answer(new Response("{}", { status: 200 }));
  t.is(await pending, 200);
  t.is(keepaliveRoom(), empty, "answered: no longer in flight");
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
  const stop = fromJson(StopStreamRequestSchema, {
    sessionId,
    position: durationJson(61.25),
  });
  t.is(Number(durationMs(stop.position ?? ({} as never))), 61_250);
});
