import { durationMs, timestampMs } from "@bufbuild/protobuf/wkt";
import type { Logger } from "@marquee/kit";
import {
  consumeErasures,
  consumeEvents,
  EVENTS,
  type EventBus,
  readingsOf,
  type Subscription,
} from "@marquee/kit/bus";
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

  const ratings = await consumeEvents(bus, {
    kinds: [EVENTS.ratingSubmitted],
    durable: DURABLES.ratings,
    log,
    maxInFlight: 8,
    handler: async ({ message: e, event }) => {
      if (e.profileId === "" || e.contentId === "" || e.value < 0 || e.value > 3) return;
      const time = e.rateTime ? timestampMs(e.rateTime) : event.publishTime.getTime();
      await engine.recordRating({ profileId: e.profileId, contentId: e.contentId, value: e.value, time });
    },
  });

  const viewing = await consumeEvents(bus, {
    kinds: [EVENTS.playbackReport],
    durable: DURABLES.viewing,
    log,
    maxInFlight: 16,
    // Each reading of a report is the heartbeat it was, in the report's order.
    handler: async ({ message: report, event }) => {
      if (report.profileId === "" || report.contentId === "") return;
      const key = `${report.profileId}/${report.contentId}`;
      for (const reading of readingsOf(report)) {
        const seen = viewingFromHeartbeat(
          reading.position ? durationMs(reading.position) / 1000 : 0,
          report.duration ? durationMs(report.duration) / 1000 : 0,
          reading.state === STATE_STOPPED,
        );
        if (seen === undefined) continue;
        // Most heartbeats say "still watching": only a new step, completion or a stop is worth a write.
        const summary = `${Math.floor(seen.fraction * VIEW_STEPS)}/${seen.completed}/${seen.abandoned}/${reading.state === STATE_STOPPED}`;
        if (lastViewing.get(key) === summary) continue;
        const time = reading.eventTime ? timestampMs(reading.eventTime) : event.publishTime.getTime();
        await engine.recordViewing({
          profileId: report.profileId,
          contentId: report.contentId,
          time,
          ...seen,
        });
        lastViewing.delete(key);
        lastViewing.set(key, summary);
        if (lastViewing.size > VIEW_CACHE_SIZE) lastViewing.delete(lastViewing.keys().next().value as string);
      }
    },
  });

  const erasure = await consumeErasures(bus, {
    durable: DURABLES.erasure,
    log,
    erase: async ({ profileIds }) => {
      for (const profileId of profileIds) {
        if (profileId === "") continue;
        for (const key of lastViewing.keys()) if (key.startsWith(`${profileId}/`)) lastViewing.delete(key);
        await engine.eraseProfile(profileId);
      }
    },
  });

  const catalog = await consumeEvents(bus, {
    kinds: [EVENTS.contentPublished, EVENTS.contentUnpublished],
    durable: DURABLES.catalog,
    log,
    handler: async ({ kind, message: e, event }) => {
      if (e.contentId === "") return;
      await applyVisibility(engine, source, {
        contentId: e.contentId,
        published: e.published && kind === "contentPublished",
        time: e.changeTime ? timestampMs(e.changeTime) : event.publishTime.getTime(),
      });
    },
  });

  return [ratings, viewing, erasure, catalog];
}
