import { durationMs, timestampDate } from "@bufbuild/protobuf/wkt";
import {
  type BusEvent,
  consumeErasures,
  consumeEvents,
  EVENTS,
  type EventBus,
  type Subscription,
} from "@marquee/kit/bus";
import type { PlaybackHeartbeat } from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import type { Logger } from "pino";
import { uuidv7Time } from "../playback/session-id.js";
import type { HistoryStore, ProgressWrite } from "./history-store.js";
import { ProgressBatcher } from "./progress-batcher.js";
import { judgeProgress } from "./rules.js";

export const HISTORY_WRITER = "history-writer";
const ERASURE_CONSUMER = "streaming-erasure";

/** Turns one PLAYBACK heartbeat into the write it calls for, or undefined when it saves nothing. */
function progressWriteOf(hb: PlaybackHeartbeat): ProgressWrite | undefined {
  if (hb.eventTime === undefined || hb.position === undefined || hb.duration === undefined) return undefined;
  const positionMs = durationMs(hb.position);
  const totalMs = durationMs(hb.duration);
  const verdict = judgeProgress(positionMs, totalMs);
  if (!verdict.save) return undefined;
  const eventTime = timestampDate(hb.eventTime);
  return {
    profileId: hb.profileId,
    contentId: hb.contentId,
    episodeId: hb.episodeId,
    sessionId: hb.sessionId,
    watchedAt: new Date(uuidv7Time(hb.sessionId) ?? eventTime.getTime()),
    eventTime,
    positionMs,
    durationMs: totalMs,
    completed: verdict.completed,
    deviceId: hb.deviceId,
  };
}

export interface HistoryWriterOptions {
  bus: EventBus;
  store: HistoryStore;
  log: Logger;
  /** Heartbeats taken at once (writes are idempotent and order-free: event time decides); they are written in rounds. */
  maxInFlight?: number;
  /** Called after each heartbeat is durable (benchmarks measure with it). */
  onDurable?: (event: BusEvent, write: ProgressWrite | undefined) => void;
}

/**
 * The durable consumer "history-writer" of PLAYBACK: writes each heartbeat's
 * progress and history entry (in rounds, the newest reading of a session per
 * round); the bus acknowledges only after the write covering it returned, so a
 * crash redelivers instead of losing, and a redelivery rewrites the same rows
 * with the same timestamps instead of counting twice.
 */
export function startHistoryWriter(o: HistoryWriterOptions): Promise<Subscription> {
  const batcher = new ProgressBatcher(o.store);
  return consumeEvents(o.bus, {
    kinds: [EVENTS.playbackHeartbeat],
    durable: HISTORY_WRITER,
    log: o.log,
    maxInFlight: o.maxInFlight ?? 512,
    // A round takes milliseconds; after a writer dies, its events come back to the others in 10 s.
    ackWaitMs: 10_000,
    handler: async ({ message, event }) => {
      const write = progressWriteOf(message);
      if (write !== undefined) await batcher.record(write);
      o.onDurable?.(event, write);
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
