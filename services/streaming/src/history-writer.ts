import { fromBinary } from "@bufbuild/protobuf";
import { durationMs, timestampDate } from "@bufbuild/protobuf/wkt";
import type { BusEvent, EventBus, Subscription } from "@marquee/kit/bus";
import {
  PlaybackHeartbeatSchema,
  ProfileDeletedSchema,
  UserDeletedSchema,
} from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import type { Logger } from "pino";
import { ProgressBatcher } from "./progress-batcher.js";
import { judgeProgress, uuidv7Time } from "./rules.js";
import type { ProgressWrite, StreamingStore } from "./store.js";

export const HISTORY_WRITER = "history-writer";
const ERASURE_CONSUMER = "streaming-erasure";

/** Turns one PLAYBACK heartbeat into the write it calls for, or undefined when it saves nothing. */
function progressWriteOf(event: BusEvent): ProgressWrite | undefined {
  const hb = fromBinary(PlaybackHeartbeatSchema, event.data);
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
  store: StreamingStore;
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
  return o.bus.consume({
    stream: "PLAYBACK",
    durable: HISTORY_WRITER,
    filter: "playback.heartbeat.>",
    maxInFlight: o.maxInFlight ?? 512,
    // A round takes milliseconds; after a writer dies, its events come back to the others in 10 s.
    ackWaitMs: 10_000,
    handler: async (event) => {
      let write: ProgressWrite | undefined;
      try {
        write = progressWriteOf(event);
      } catch (err) {
        // A message that does not decode will never decode: log it and let it go.
        o.log.error({ err, msgId: event.msgId }, "undecodable heartbeat dropped");
        return;
      }
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
  store: StreamingStore;
  log: Logger;
  months: number;
}): Promise<Subscription> {
  return o.bus.consume({
    stream: "DOMAIN",
    durable: ERASURE_CONSUMER,
    handler: async (event) => {
      let profileIds: string[];
      if (event.subject === "user.deleted") profileIds = fromBinary(UserDeletedSchema, event.data).profileIds;
      else if (event.subject === "profile.deleted")
        profileIds = [fromBinary(ProfileDeletedSchema, event.data).profileId];
      else return;
      const at = new Date();
      for (const profileId of profileIds) await o.store.eraseProfile(profileId, at, o.months);
      o.log.info({ subject: event.subject, profiles: profileIds.length }, "viewing history erased");
    },
  });
}
