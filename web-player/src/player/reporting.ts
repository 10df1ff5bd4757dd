/**
 * The session's heartbeats wired to the API: readings go out together with
 * SendHeartbeats (SDK calls normally, a keepalive fetch when the page is
 * going away), each report's outcome is noted for the test probe, and a
 * report refused because the session ended elsewhere stops playback.
 */
import { type Duration, durationMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, PlaybackState } from "@marquee/sdk/browser";
import { api, baseUrl, session } from "../lib/api.js";
import { type Heartbeat, HeartbeatScheduler, type PlayerReading } from "./heartbeats.js";
import { heartbeatsBody, keepaliveCall, keepaliveRoom, SEND_HEARTBEATS } from "./keepalive.js";

const STATE: Record<Heartbeat["state"], PlaybackState> = {
  playing: PlaybackState.PLAYING,
  paused: PlaybackState.PAUSED,
  buffering: PlaybackState.BUFFERING,
  seeking: PlaybackState.SEEKING,
  stopped: PlaybackState.STOPPED,
};

/** A reading as the probe shows it: ok once a report of it was accepted. */
export type ProbeBeat = Heartbeat & { ok: boolean };

export interface ReporterOptions {
  sessionId: string;
  heartbeatInterval: Duration | undefined;
  reportInterval: Duration | undefined;
  read: () => PlayerReading;
  /** Where each reading's outcome is noted (the probe's list). */
  log: ProbeBeat[];
  /** The session ended elsewhere: playback must stop, with this message. */
  onSessionEnded: (message: string) => void;
}

const millis = (d: Duration | undefined) => (d ? Number(durationMs(d)) : undefined);

export function createReporter(o: ReporterOptions): HeartbeatScheduler {
  const { sessionId } = o;
  return new HeartbeatScheduler({
    intervalMs: millis(o.heartbeatInterval) ?? 10_000,
    reportIntervalMs: millis(o.reportInterval) ?? 20_000,
    now: () => Date.now(),
    read: o.read,
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
    async send(beats, keepalive) {
      if (keepalive) {
        const final = beats.at(-1)?.state === "stopped";
        const { json, count } = heartbeatsBody(sessionId, beats, keepaliveRoom(final));
        if (count === 0) return { sent: 0 };
        const status = await keepaliveCall(baseUrl, SEND_HEARTBEATS, json, session.tokenNow());
        recordReport(o.log, beats.slice(beats.length - count), status === 200);
        if (status !== 200) throw new Error(`keepalive report answered HTTP ${status}`);
        return { sent: count };
      }
      try {
        const res = await api.streaming.sendHeartbeats({ sessionId, readings: beats.map(toReading) });
        recordReport(o.log, beats, true);
        return { intervalMs: millis(res.heartbeatInterval), reportIntervalMs: millis(res.reportInterval) };
      } catch (err) {
        recordReport(o.log, beats, false);
        throw err;
      }
    },
    // No retry changes these: a reading the server refuses, or a session that is over.
    refused: (err) =>
      err instanceof ConnectError &&
      (err.code === Code.InvalidArgument ||
        err.code === Code.NotFound ||
        err.code === Code.FailedPrecondition),
    onError(err, beats) {
      if (!(err instanceof ConnectError)) return;
      if (err.code === Code.InvalidArgument) {
        console.warn(
          `heartbeat readings ${beats[0]?.sequence}–${beats.at(-1)?.sequence} refused, dropped:`,
          err.rawMessage,
        );
      }
      // A report refused because the session ended elsewhere (stream limit enforced later) stops playback.
      if (err.code === Code.NotFound || err.code === Code.FailedPrecondition)
        o.onSessionEnded(err.rawMessage);
    },
  });
}

function toReading(beat: Heartbeat) {
  return {
    sequence: BigInt(beat.sequence),
    eventTime: {
      seconds: BigInt(Math.floor(beat.eventTimeMs / 1000)),
      nanos: (beat.eventTimeMs % 1000) * 1e6,
    },
    position: secondsToDuration(beat.positionSeconds),
    state: STATE[beat.state],
    renditionId: beat.renditionId,
    bitrateBps: BigInt(beat.bitrateBps),
    bufferSeconds: beat.bufferSeconds,
    droppedFrames: BigInt(beat.droppedFrames),
    measuredThroughputBps: BigInt(beat.throughputBps),
    rebufferDuration: beat.rebufferMs === undefined ? undefined : secondsToDuration(beat.rebufferMs / 1000),
    startupDuration: beat.startupMs === undefined ? undefined : secondsToDuration(beat.startupMs / 1000),
  };
}

/**
 * Notes a report's outcome in the probe: each reading once, kept in sequence order (a retried
 * reading is reported again, maybe after newer ones); accepted once any report of it was.
 */
function recordReport(log: ProbeBeat[], beats: readonly Heartbeat[], ok: boolean): void {
  for (const beat of beats) {
    let at = log.length;
    while (at > 0 && (log[at - 1]?.sequence ?? 0) >= beat.sequence) at -= 1;
    const known = log[at];
    if (known?.sequence === beat.sequence) known.ok ||= ok;
    else log.splice(at, 0, { ...beat, ok });
  }
}

export function secondsToDuration(seconds: number): { seconds: bigint; nanos: number } {
  const s = Math.max(0, seconds);
  const whole = Math.floor(s);
  return { seconds: BigInt(whole), nanos: Math.round((s - whole) * 1e9) };
}
