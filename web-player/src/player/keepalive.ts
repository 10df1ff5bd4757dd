/**
 * Reports that must survive the page going away. sendBeacon
 * cannot set the Authorization header, so these are Connect unary calls in
 * JSON over `fetch(..., { keepalive: true })`.
 */
import type { Heartbeat, HeartbeatState } from "./heartbeats.js";

const STATES: Record<HeartbeatState, string> = {
  playing: "PLAYBACK_STATE_PLAYING",
  paused: "PLAYBACK_STATE_PAUSED",
  buffering: "PLAYBACK_STATE_BUFFERING",
  seeking: "PLAYBACK_STATE_SEEKING",
  stopped: "PLAYBACK_STATE_STOPPED",
};

/** Browsers refuse a keepalive request that would take the page's keepalive bodies in flight past 64 KiB. */
export const KEEPALIVE_QUOTA = 64 * 1024;
/**
 * Left by the other reports for the final one (whose last, STOPPED reading ends the session): a
 * hide report may still be in flight when the page goes for good. One reading at its heaviest fits.
 */
const FINAL_RESERVE = 1024;
let inFlightBytes = 0;

/**
 * Bytes a keepalive report may take now: what the quota leaves beside those in flight, and beside
 * the final report unless this is the final report.
 */
export function keepaliveRoom(final: boolean): number {
  return Math.max(0, KEEPALIVE_QUOTA - (final ? 0 : FINAL_RESERVE) - inFlightBytes);
}

/** A protobuf Duration in its JSON form: "12.345s". */
export function durationJson(seconds: number): string {
  return `${Math.max(0, seconds)
    .toFixed(3)
    .replace(/\.?0+$/, "")}s`;
}

/** HeartbeatReading in the Protobuf JSON mapping (int64 as strings, enums by name). */
function readingJson(beat: Heartbeat): Record<string, unknown> {
  return {
    sequence: String(beat.sequence),
    eventTime: new Date(beat.eventTimeMs).toISOString(),
    position: durationJson(beat.positionSeconds),
    state: STATES[beat.state],
    renditionId: beat.renditionId,
    bitrateBps: String(beat.bitrateBps),
    bufferSeconds: beat.bufferSeconds,
    droppedFrames: String(beat.droppedFrames),
    measuredThroughputBps: String(beat.throughputBps),
    ...(beat.rebufferMs === undefined ? {} : { rebufferDuration: durationJson(beat.rebufferMs / 1000) }),
    ...(beat.startupMs === undefined ? {} : { startupDuration: durationJson(beat.startupMs / 1000) }),
  };
}

const utf8Bytes = (text: string) => new TextEncoder().encode(text).length;

/**
 * A SendHeartbeatsRequest body in JSON with the newest readings that fit in `limit` bytes
 * (the oldest are left out, so a final STOPPED reading stays); `count` says how many went in.
 */
export function heartbeatsBody(
  sessionId: string,
  beats: readonly Heartbeat[],
  limit: number,
): { json: string; count: number } {
  const head = `{"sessionId":${JSON.stringify(sessionId)},"readings":[`;
  const tail = "]}";
  let size = utf8Bytes(head) + utf8Bytes(tail);
  const newestFirst: string[] = [];
  for (const beat of [...beats].reverse()) {
    const reading = JSON.stringify(readingJson(beat));
    const grown = size + utf8Bytes(reading) + (newestFirst.length > 0 ? 1 : 0);
    if (grown > limit) break;
    newestFirst.push(reading);
    size = grown;
  }
  return { json: `${head}${newestFirst.reverse().join(",")}${tail}`, count: newestFirst.length };
}

/** POSTs one Connect unary call (a JSON body) with keepalive; resolves with the HTTP status (0 on network failure). */
export async function keepaliveCall(
  baseUrl: string,
  procedure: string,
  json: string,
  token: string,
): Promise<number> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "connect-protocol-version": "1",
    "connect-timeout-ms": "10000",
  };
  if (token) headers.authorization = `Bearer ${token}`;
  const bytes = utf8Bytes(json);
  inFlightBytes += bytes;
  try {
    const res = await fetch(`${baseUrl}${procedure}`, {
      method: "POST",
      keepalive: true,
      headers,
      body: json,
    });
    return res.status;
  } catch {
    return 0;
  } finally {
    inFlightBytes -= bytes;
  }
}

export const SEND_HEARTBEATS = "/marquee.streaming.v1.StreamingService/SendHeartbeats";
