import { timestampMs } from "@bufbuild/protobuf/wkt";
import { KeyedLock, type Logger } from "@marquee/kit";
import { consumeEvents, EVENTS, type EventBus, type Subscription } from "@marquee/kit/bus";
import type { Content } from "@marquee/sdk/marquee/content/v1/content_pb";
import { isPublished } from "./domain/visibility.js";
import { type SearchIndex, versionOf } from "./search.js";
import type { ContentStore } from "./store.js";

const SEARCH_INDEXER = "content-search-indexer";

/**
 * Brings one title's search entry in line with the store: indexed while
 * published, absent otherwise. Reading the store (not the event) makes the
 * consumer idempotent and immune to reordering: it always applies the latest state.
 */
async function syncSearchEntry(store: ContentStore, index: SearchIndex, contentId: string): Promise<void> {
  const content = await store.get(contentId);
  if (content !== undefined && isPublished(content)) await index.upsert(content);
  else await index.remove(contentId, content === undefined ? undefined : versionOf(content));
}

/** The durable consumer that feeds search from content.published / content.unpublished. */
export function startSearchIndexer(
  bus: EventBus,
  store: ContentStore,
  index: SearchIndex,
  log: Logger,
): Promise<Subscription> {
  // Events of one title are applied one at a time here; across processes the index's versions decide.
  const lock = new KeyedLock();
  return consumeEvents(bus, {
    kinds: [EVENTS.contentPublished, EVENTS.contentUnpublished],
    durable: SEARCH_INDEXER,
    log,
    maxInFlight: 8,
    handler: async ({ message: change, event }) => {
      if (change.contentId === "") {
        log.warn({ msgId: event.msgId }, "content event without a content id; skipped");
        return;
      }
      await lock.run(change.contentId, () => syncSearchEntry(store, index, change.contentId));
    },
  });
}

async function* published(store: ContentStore): AsyncIterable<Content> {
  for await (const c of store.scan()) if (isPublished(c)) yield c;
}

/**
 * Rebuilds search from the source of truth: a complete new generation is
 * built and swapped in atomically, then titles changed while it was being
 * built are synced again (their events may have gone to the old generation).
 */
export async function rebuildSearchIndex(
  store: ContentStore,
  index: SearchIndex,
  log: Logger,
): Promise<number> {
  const started = Date.now();
  const count = await index.rebuild(published(store));
  let resynced = 0;
  for await (const c of store.scan()) {
    if (c.updateTime !== undefined && timestampMs(c.updateTime) >= started - 1_000) {
      await syncSearchEntry(store, index, c.contentId);
      resynced++;
    }
  }
  log.info({ count, resynced, ms: Date.now() - started }, "search index rebuilt");
  return count;
}
