import { timestampFromDate, timestampMs } from "@bufbuild/protobuf/wkt";
import { type Logger, runPeriodically } from "@marquee/kit";
import { EVENTS, type EventBus, publishEvent } from "@marquee/kit/bus";
import type { Content } from "@marquee/sdk/marquee/content/v1/content_pb";
import { isPublished } from "./domain/visibility.js";
import type { ContentStore, PendingAnnouncement } from "./store.js";

/**
 * Announces a title's visibility as it is now stored. The msgId is derived
 * from the title's id and update time, so a retried call re-publishes the
 * same event and the stream drops the copy.
 */
export async function publishVisibility(bus: EventBus, content: Content): Promise<void> {
  const published = isPublished(content);
  const kind = published ? EVENTS.contentPublished : EVENTS.contentUnpublished;
  const changeTime = content.updateTime ?? timestampFromDate(new Date());
  await publishEvent(
    bus,
    kind,
    { contentId: content.contentId, published, maturityRating: content.maturityRating, changeTime },
    `${kind.subject()}:${content.contentId}:${timestampMs(changeTime)}`,
  );
}

/** Publishes the title's visibility event owed by `pending`, then forgets it (a title since deleted owes nothing). */
export async function announce(
  store: ContentStore,
  bus: EventBus,
  pending: PendingAnnouncement,
): Promise<void> {
  const content = await store.get(pending.contentId);
  // The current state: the indexer applies the latest state anyway, and an event already sent is dropped as a copy.
  if (content !== undefined) await publishVisibility(bus, content);
  await store.clearAnnouncement(pending);
}

/**
 * Publishes the visibility events still owed (the process died, or the bus
 * was down, between a title's write and its event), at start and every `intervalMs`.
 */
export function startAnnouncementRelay(o: {
  store: ContentStore;
  bus: EventBus;
  log: Logger;
  intervalMs: number;
}): { stop(): Promise<void> } {
  const relay = async () => {
    for (const pending of await o.store.pendingAnnouncements()) {
      await announce(o.store, o.bus, pending);
      o.log.info({ contentId: pending.contentId }, "relayed a visibility event");
    }
  };
  return runPeriodically(relay, o.intervalMs, o.log, "visibility event relay");
}
