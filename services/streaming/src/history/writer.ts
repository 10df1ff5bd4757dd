import { durationMs, timestampDate } from "@bufbuild/protobuf/wkt";
import {
  type BusEvent,
  consumeErasures,
  consumeEvents,
  EVENTS,
  type EventBus,
  readingsOf,
  type Subscription,
} from "@marquee/kit/bus";
import { activeContext, inSpan, type TraceContext, tracerFor } from "@marquee/kit/tracing";
import type { PlaybackReading, PlaybackReport } from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import type { Logger } from "pino";
import { uuidv7Time } from "../playback/session-id.js";
import type { HistoryStore, ProgressWrite } from "./history-store.js";
import { ProgressBatcher } from "./progress-batcher.js";
import { judgeProgress } from "./rules.js";

export const HISTORY_WRITER = "history-writer";
/**
 * Least time between the starts of two write rounds that are not full: durability (and the ack)
 * waits up to this long more, and at a low rate Cassandra gets a few larger bursts a second
 * instead of a burst per handful of reports.
 */
const ROUND_GATHER_MS = 25;
const ERASURE_CONSUMER = "streaming-erasure";

/** Turns one reading of a report into the write it calls for, or undefined when it saves nothing. */
function progressWriteOf(report: PlaybackReport, reading: PlaybackReading): ProgressWrite | undefined {
  if (reading.eventTime === undefined || reading.position === undefined || report.duration === undefined)
    return undefined;
  const positionMs = durationMs(reading.position);
  const totalMs = durationMs(report.duration);
  const verdict = judgeProgress(positionMs, totalMs);
  if (!verdict.save) return undefined;
  const eventTime = timestampDate(reading.eventTime);
  return {
    profileId: report.profileId,
    contentId: report.contentId,
    episodeId: report.episodeId,
    sessionId: report.sessionId,
    watchedAt: new Date(uuidv7Time(report.sessionId) ?? eventTime.getTime()),
    eventTime,
    positionMs,
    durationMs: totalMs,
    completed: verdict.completed,
    deviceId: report.deviceId,
  };
}

/**
 * Of a report's writes, the newest by event time (the later one of a tie, as the batcher
 * picks): every write of a session lands on the same rows with its event time as timestamp,
 * so writing only that one leaves the rows as writing each would. A reading that saves
 * nothing (under 5%) writes nothing, so it cannot hide an older one that does.
 */
function newestWriteOf(report: PlaybackReport, readings: PlaybackReading[]): ProgressWrite | undefined {
  let newest: ProgressWrite | undefined;
  for (const reading of readings) {
    const write = progressWriteOf(report, reading);
    if (
      write !== undefined &&
      (newest === undefined || write.eventTime.getTime() >= newest.eventTime.getTime())
    )
      newest = write;
  }
  return newest;
}

export interface HistoryWriterOptions {
  bus: EventBus;
  store: HistoryStore;
  log: Logger;
  /** Reports taken at once (writes are idempotent and order-free: event time decides); they are written in rounds. */
  maxInFlight?: number;
  /** Called after each report is durable, with how many readings it carried (benchmarks measure with it). */
  onDurable?: (event: BusEvent, readings: number) => void;
}

/**
 * The durable consumer "history-writer" of PLAYBACK: writes each report's
 * progress and history entry (in rounds, the newest reading of a session per
 * round); the bus acknowledges only after the write covering it returned, so a
 * crash redelivers instead of losing, and a redelivery rewrites the same rows
 * with the same timestamps instead of counting twice.
 */
export function startHistoryWriter(o: HistoryWriterOptions): Promise<Subscription> {
  const tracer = tracerFor(HISTORY_WRITER);
  // A round is written after its reports' handlers have handed their writes over: each write
  // keeps the trace of the report it came from, so its Cassandra calls join that report's trace.
  const traces = new WeakMap<ProgressWrite, TraceContext>();
  const store =
    tracer === undefined
      ? o.store
      : {
          recordProgress: (w: ProgressWrite) =>
            inSpan(tracer, "write progress", () => o.store.recordProgress(w), { parent: traces.get(w) }),
        };
  const batcher = new ProgressBatcher(store, 256, ROUND_GATHER_MS);
  return consumeEvents(o.bus, {
    kinds: [EVENTS.playbackReport],
    durable: HISTORY_WRITER,
    log: o.log,
    maxInFlight: o.maxInFlight ?? 512,
    // A round takes milliseconds; after a writer dies, its events come back to the others in 10 s.
    ackWaitMs: 10_000,
    handler: async ({ message, event }) => {
      const readings = readingsOf(message);
      const write = newestWriteOf(message, readings);
      if (write !== undefined) {
        if (tracer !== undefined) traces.set(write, activeContext());
        await batcher.record(write);
      }
      o.onDurable?.(event, readings.length);
    },
  });
}

/**
 * The durable consumer "streaming-erasure" of DOMAIN: user.deleted and
 * profile.deleted erase the profiles' progress and history (idempotent).
 */
export function startErasure(o: {
  bus: EventBus;
  store: HistoryStore;
  log: Logger;
  months: number;
}): Promise<Subscription> {
  return consumeErasures(o.bus, {
    durable: ERASURE_CONSUMER,
    log: o.log,
    erase: async ({ profileIds }) => {
      const at = new Date();
      for (const profileId of profileIds) await o.store.eraseProfile(profileId, at, o.months);
    },
  });
}
