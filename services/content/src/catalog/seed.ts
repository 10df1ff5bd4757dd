import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { demoPoolMedia, type Logger } from "@marquee/kit";
import type { EventBus } from "@marquee/kit/bus";
import {
  type Content,
  ContentSchema,
  ContentType,
  type MediaAsset,
  MediaAssetSchema,
} from "@marquee/sdk/marquee/content/v1/content_pb";
import { withGeneratedArtwork } from "../artwork/artwork-files.js";
import { publishVisibility } from "../events.js";
import type { ContentStore } from "../store.js";
import { DEFAULT_CATALOG_SIZE, generateCatalog } from "./generate.js";

export interface SeedOptions {
  size?: number;
  /** Announce each title on content.published (others, e.g. recommendations, learn the catalog). */
  bus?: EventBus;
  log: Logger;
  /** Writes in flight at once. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

/** The demo pool clip that `id` (a movie or an episode) plays. */
function poolMedia(id: string): MediaAsset {
  const m = demoPoolMedia(id);
  return create(MediaAssetSchema, {
    assetId: m.assetId,
    manifestPath: m.manifestPath,
    duration: durationFromMs(m.durationMs),
    maxHeight: m.maxHeight,
  });
}

/**
 * A seeded title with media: every movie and every episode points at a clip
 * of the demo pool, which the streaming service makes (a title whose clip is
 * not made yet is refused as "not ready", not as having no media).
 */
function withDemoMedia(content: Content): Content {
  if (content.type !== ContentType.SERIES)
    return create(ContentSchema, { ...content, media: poolMedia(content.contentId) });
  return create(ContentSchema, {
    ...content,
    seasons: content.seasons.map((season) => ({
      ...season,
      episodes: season.episodes.map((ep) => ({ ...ep, media: poolMedia(ep.episodeId) })),
    })),
  });
}

/**
 * Loads the synthetic catalog into the store, every movie and episode playing
 * a demo pool clip (by reference). Idempotent: the same ids and
 * rows every time, and the same event msgIds (dropped as duplicates within
 * the stream's window).
 */
export async function seedCatalog(store: ContentStore, opts: SeedOptions): Promise<number> {
  const catalog = generateCatalog(opts.size ?? DEFAULT_CATALOG_SIZE)
    .map(withDemoMedia)
    .map(withGeneratedArtwork);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < catalog.length) {
      const content = catalog[next++];
      if (content === undefined) break;
      await store.put(content);
      if (opts.bus) await publishVisibility(opts.bus, content);
      opts.onProgress?.(++done, catalog.length);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 16 }, worker));
  opts.log.info({ titles: catalog.length }, "catalog seeded");
  return catalog.length;
}
