/**
 * Heartbeats and stops that must survive the page going away. sendBeacon
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

/** A protobuf Duration in its JSON form: "12.345s". */
export function durationJson(seconds: number): string {
  return `${Math.max(0, seconds)
    .toFixed(3)
    .replace(/\.?0+$/, "")}s`;
}

/** SendHeartbeatRequest in the Protobuf JSON mapping (int64 as strings, enums by name). */
export function heartbeatJson(sessionId: string, beat: Heartbeat): Record<string, unknown> {
  return {
    sessionId,
    sequence: String(beat.sequence),
    eventTime: new Date(beat.eventTimeMs).toISOString(),
    position: durationJson(beat.positionSeconds),
    state: STATES[beat.state],
    renditionId: beat.renditionId,
    bitrateBps: String(beat.bitrateBps),
    bufferSeconds: beat.bufferSeconds,
    droppedFrames: String(beat.droppedFrames),
    measuredThroughputBps: String(beat.throughputBps),
  };
}

/** POSTs one Connect unary call in JSON with keepalive; resolves with the HTTP status (0 on network failure). */
export async function keepaliveCall(
  baseUrl: string,
  procedure: string,
  body: Record<string, unknown>,
  token: string,
): Promise<number> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "connect-protocol-version": "1",
    "connect-timeout-ms": "10000",
  };
  if (token) headers.authorization = `Bearer ${token}`;
  try {
    const res = await fetch(`${baseUrl}${procedure}`, {
      method: "POST",
      keepalive: true,
      headers,
      body: JSON.stringify(body),
    });
    return res.status;
  } catch {
    return 0;
  }
}

export const SEND_HEARTBEAT = "/marquee.streaming.v1.StreamingService/SendHeartbeat";
export const STOP_STREAM = "/marquee.streaming.v1.StreamingService/StopStream";
