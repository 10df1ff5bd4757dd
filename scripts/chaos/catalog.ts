import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import {
  generateCatalog,
  loadContentConfig,
  openContentBackends,
  rebuildSearchIndex,
  seedCatalog,
} from "@marquee/content/admin";
import { createLogger, loadBackendsConfig } from "@marquee/kit";
import { ContentSchema, ContentType, MediaAssetSchema } from "@marquee/sdk/marquee/content/v1/content_pb";
import { writeBareAsset } from "@marquee/streaming/ingest/bare-asset";

/** Long enough that no chaos run watches a title to its end (a finished title leaves Continue Watching). */
const DURATION_MS = 10 * 3600_000;

/**
 * The seeded catalog (for search and ratings), and `viewable` of its movies
 * re-pointed at a 10-hour asset whose description is written into the media
 * dir, as the heartbeat bench does: StreamContent accepts them without any
 * transcoding. Returns the titles sessions watch and a search word for each.
 */
export async function prepareCatalog(size: number, viewable: number, mediaDir: string) {
  const log = createLogger("chaos", "warn");
  const b = await openContentBackends(loadBackendsConfig(), loadContentConfig(), log);
  try {
    await seedCatalog(b.store, { size, bus: b.bus, log });
    const movies = generateCatalog(size)
      .filter((c) => c.type !== ContentType.SERIES)
      .slice(0, viewable);
    for (const movie of movies) {
      const assetId = randomUUID();
      writeBareAsset(mediaDir, assetId, DURATION_MS);
      await b.store.put(
        create(ContentSchema, {
          ...movie,
          media: create(MediaAssetSchema, {
            assetId,
            duration: durationFromMs(DURATION_MS),
            maxHeight: 1080,
          }),
        }),
      );
    }
    await rebuildSearchIndex(b.store, b.search, log);
    return movies.map((m) => ({
      contentId: m.contentId,
      word: (m.title.split(/\s+/).find((w) => w.length >= 5) ?? m.title).toLowerCase(),
    }));
  } finally {
    await b.close();
  }
}
