import { fromJson } from "@bufbuild/protobuf";
import { durationMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { validateMessage } from "@marquee/kit";
import {
  PlaybackState,
  SendHeartbeatRequestSchema,
  StopStreamRequestSchema,
} from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import test from "ava";
import { durationJson, heartbeatJson } from "../src/player/keepalive.js";

const beat = {
  sequence: 7,
  eventTimeMs: Date.UTC(2026, 10, 23, 21, 0, 0, 250),
  reason: "hide" as const,
  positionSeconds: 83.4567,
  state: "paused" as const,
  renditionId: "720p",
  bitrateBps: 2_500_000,
  bufferSeconds: 21.5,
  droppedFrames: 4,
  throughputBps: 8_000_000,
};

test("the keepalive heartbeat is a valid SendHeartbeatRequest in Protobuf JSON", (t) => {
  const sessionId = "5b0e7c1e-6a1a-4e8f-9a43-4a7f0e1b2c3d";
  const msg = fromJson(SendHeartbeatRequestSchema, heartbeatJson(sessionId, beat) as never);
  t.is(msg.sessionId, sessionId);
  t.is(msg.sequence, 7n);
  t.is(timestampMs(msg.eventTime ?? ({ seconds: 0n, nanos: 0 } as never)), beat.eventTimeMs);
  t.is(Number(durationMs(msg.position ?? ({} as never))), 83_457, "rounded to the millisecond");
  t.is(msg.state, PlaybackState.PAUSED);
  t.is(msg.bitrateBps, 2_500_000n);
  t.is(msg.measuredThroughputBps, 8_000_000n);
  t.is(msg.droppedFrames, 4n);
  t.is(msg.bufferSeconds, 21.5);
  // The same protovalidate rules the streaming service enforces.
  t.notThrows(() => validateMessage(SendHeartbeatRequestSchema, msg));
});

test("durations in JSON form", (t) => {
  t.is(durationJson(0), "0s");
  t.is(durationJson(12.5), "12.5s");
  t.is(durationJson(-3), "0s");
  const stop = fromJson(StopStreamRequestSchema, {
    sessionId: "5b0e7c1e-6a1a-4e8f-9a43-4a7f0e1b2c3d",
    position: durationJson(61.25),
  });
  t.is(Number(durationMs(stop.position ?? ({} as never))), 61_250);
});
