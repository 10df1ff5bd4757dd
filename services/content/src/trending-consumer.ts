import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Logger } from "@marquee/kit";
import { consumeEvents, EVENTS, type EventBus, readingsOf, type Subscription } from "@marquee/kit/bus";
import { scopesOf, TRENDING_WINDOW_MS } from "./domain/trending.js";
import type { TrendingStore } from "./trending-store.js";

const TRENDING_CONSUMER = "content-trending";

/** A viewer's heartbeats within this much of the last one recorded are not written again. */
const REWRITE_AFTER_MS = 5 * 60_000;
const MAX_REMEMBERED = 200_000;
/** Player clocks ahead of ours by more than this are clamped to now. */
const MAX_CLOCK_SKEW_MS = 60_000;

/**
 * Feeds the trending store from the PLAYBACK stream. A player takes a
 * heartbeat reading every few seconds (reported a few at a time); only the
 * first in each few minutes per (scope, title, profile) is written, which
 * keeps write volume near one per viewer per five minutes while the decayed
 * score moves by well under 1%. Each reading of a report counts as the
 * heartbeat it is, so a report of many readings counts as they would one by one.
 */
export function startTrendingConsumer(
  bus: EventBus,
  trending: TrendingStore,
  log: Logger,
): Promise<Subscription> {
  const lastWritten = new Map<string, number>();
  return consumeEvents(bus, {
    kinds: [EVENTS.playbackReport],
    durable: TRENDING_CONSUMER,
    log,
    maxInFlight: 16,
    handler: async ({ message: report, event }) => {
      if (report.contentId === "" || report.profileId === "") {
        log.debug({ msgId: event.msgId }, "report without title or profile; skipped");
        return;
      }
      for (const reading of readingsOf(report)) {
        const now = Date.now();
        let at = reading.eventTime ? timestampDate(reading.eventTime).getTime() : event.publishTime.getTime();
        if (at > now + MAX_CLOCK_SKEW_MS) at = now;
        if (at < now - TRENDING_WINDOW_MS) continue;
        for (const scope of scopesOf(report.country)) {
          const key = `${scope}|${report.contentId}|${report.profileId}`;
          const previous = lastWritten.get(key);
          if (previous !== undefined && at >= previous && at - previous < REWRITE_AFTER_MS) continue;
          await trending.recordView(scope, report.contentId, report.profileId, new Date(at));
          if (lastWritten.size >= MAX_REMEMBERED) lastWritten.clear();
          lastWritten.set(key, Math.max(at, previous ?? 0));
        }
      }
    },
  });
}
