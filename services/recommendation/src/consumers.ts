import { fromBinary } from "@bufbuild/protobuf";
import { durationMs, timestampMs } from "@bufbuild/protobuf/wkt";
import type { Logger } from "@marquee/kit";
import type { BusEvent, EventBus, Subscription } from "@marquee/kit/bus";
import {
  ContentVisibilityChangedSchema,
  PlaybackHeartbeatSchema,
  ProfileDeletedSchema,
  RatingSubmittedSchema,
  UserDeletedSchema,
} from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import type { CatalogSource } from "./catalog-source.js";
import { applyVisibility } from "./catalog-sync.js";
import type { TasteEngine } from "./engine.js";
import { viewingFromHeartbeat } from "./model/signals.js";

/** marquee.streaming.v1.PlaybackState STOPPED. */
const STATE_STOPPED = 5;
/** Heartbeats move the taste signal only when the watched share crosses one of these steps. */
const VIEW_STEPS = 10;
const VIEW_CACHE_SIZE = 100_000;

const DURABLES = {
  ratings: "reco-ratings",
  viewing: "reco-viewing",
  erasure: "reco-erasure",
  catalog: "reco-catalog",
} as const;

/** Decodes an event, or logs and skips a malformed one (redelivering it could never help). */
function decode<T>(log: Logger, event: BusEvent, parse: (data: Uint8Array) => T): T | undefined {
  try {
    return parse(event.data);
  } catch (err) {
    log.error({ err, subject: event.subject, msgId: event.msgId }, "malformed event skipped");
    return undefined;
  }
}

/**
 * The recommendation service's durable consumers: ratings and viewing feed
 * the model, deletions erase profiles, visibility changes keep the local
 * catalog. Each handler is idempotent; a failure (store or catalog down)
 * throws so the event comes again.
 */
export async function startConsumers(deps: {
  bus: EventBus;
  engine: TasteEngine;
  source: CatalogSource;
  log: Logger;
}): Promise<Subscription[]> {
  const { bus, engine, source, log } = deps;
  const lastViewing = new Map<string, string>();

  const ratings = await bus.consume({
    stream: "DOMAIN",
    durable: DURABLES.ratings,
    filter: "rating.submitted",
    maxInFlight: 8,
    handler: async (event) => {
      const e = decode(log, event, (d) => fromBinary(RatingSubmittedSchema, d));
      if (e === undefined || e.profileId === "" || e.contentId === "" || e.value < 0 || e.value > 3) return;
      const time = e.rateTime ? timestampMs(e.rateTime) : event.publishTime.getTime();
      await engine.recordRating({ profileId: e.profileId, contentId: e.contentId, value: e.value, time });
    },
  });

  const viewing = await bus.consume({
    stream: "PLAYBACK",
    durable: DURABLES.viewing,
    filter: "playback.heartbeat.>",
    maxInFlight: 16,
    handler: async (event) => {
      const e = decode(log, event, (d) => fromBinary(PlaybackHeartbeatSchema, d));
      if (e === undefined || e.profileId === "" || e.contentId === "") return;
      const seen = viewingFromHeartbeat(
        e.position ? durationMs(e.position) / 1000 : 0,
        e.duration ? durationMs(e.duration) / 1000 : 0,
        e.state === STATE_STOPPED,
      );
      if (seen === undefined) return;
      // Most heartbeats say "still watching": only a new step, completion or a stop is worth a write.
      const key = `${e.profileId}/${e.contentId}`;
      const summary = `${Math.floor(seen.fraction * VIEW_STEPS)}/${seen.completed}/${seen.abandoned}/${e.state === STATE_STOPPED}`;
      if (lastViewing.get(key) === summary) return;
      const time = e.eventTime ? timestampMs(e.eventTime) : event.publishTime.getTime();
      await engine.recordViewing({ profileId: e.profileId, contentId: e.contentId, time, ...seen });
      lastViewing.delete(key);
      lastViewing.set(key, summary);
      if (lastViewing.size > VIEW_CACHE_SIZE) lastViewing.delete(lastViewing.keys().next().value as string);
    },
  });

  const erasure = await bus.consume({
    stream: "DOMAIN",
    durable: DURABLES.erasure,
    // user.deleted and profile.deleted
    filter: "*.deleted",
    handler: async (event) => {
      let profiles: string[] = [];
      if (event.subject === "user.deleted") {
        profiles = decode(log, event, (d) => fromBinary(UserDeletedSchema, d))?.profileIds ?? [];
      } else if (event.subject === "profile.deleted") {
        const id = decode(log, event, (d) => fromBinary(ProfileDeletedSchema, d))?.profileId;
        if (id) profiles = [id];
      }
      for (const profileId of profiles) {
        if (profileId === "") continue;
        for (const key of lastViewing.keys()) if (key.startsWith(`${profileId}/`)) lastViewing.delete(key);
        await engine.eraseProfile(profileId);
        log.info({ profileId }, "profile erased");
      }
    },
  });

  const catalog = await bus.consume({
    stream: "DOMAIN",
    durable: DURABLES.catalog,
    filter: "content.>",
    handler: async (event) => {
      if (event.subject !== "content.published" && event.subject !== "content.unpublished") return;
      const e = decode(log, event, (d) => fromBinary(ContentVisibilityChangedSchema, d));
      if (e === undefined || e.contentId === "") return;
      await applyVisibility(engine, source, {
        contentId: e.contentId,
        published: e.published && event.subject === "content.published",
        time: e.changeTime ? timestampMs(e.changeTime) : event.publishTime.getTime(),
      });
    },
  });

  return [ratings, viewing, erasure, catalog];
}
