import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { createLogger, loadBackendsConfig, SERVICE_PORTS, type Server, startService } from "@marquee/kit";
import { embeddedDir } from "@marquee/kit/embedded";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { artworkFiles } from "./artwork/artwork-files.js";
import { ARTWORK_PREFIX, artworkOrigin } from "./artwork/artwork-origin.js";
import { warmArtwork } from "./artwork/warm.js";
import { openContentBackends } from "./backends.js";
import { CATALOG_VERSION } from "./catalog/generate.js";
import { seedCatalog } from "./catalog/seed.js";
import { markSeeded, seededVersion } from "./catalog/seed-marker.js";
import { loadContentConfig } from "./config.js";
import { startAnnouncementRelay } from "./events.js";
import { rebuildSearchIndex, startSearchIndexer } from "./search-indexer.js";
import { contentService } from "./service.js";
import { startTrendingConsumer } from "./trending-consumer.js";

/**
 * Wires the content service from the environment and serves it: adapters,
 * the catalog seed on a first embedded start (and again when the store holds
 * an earlier version of the generated catalog), search rebuilt from the store
 * when its index is empty (always in embedded mode: MiniSearch lives in
 * memory), the search-indexer and trending consumers, then the RPCs.
 */
export async function startContentService(
  env: Record<string, string | undefined> = process.env,
): Promise<Server> {
  const backends = loadBackendsConfig(env);
  const config = loadContentConfig(env);
  const log = createLogger("content", env.MARQUEE_LOG_LEVEL ?? "info");
  const b = await openContentBackends(backends, config, log);
  try {
    if (backends.mode === "embedded" && config.seedOnEmpty) {
      const dir = embeddedDir(backends, "content");
      const empty = await b.store.isEmpty();
      const seeded = await seededVersion(dir);
      if (empty || seeded !== CATALOG_VERSION) {
        if (!empty)
          log.info(
            { seeded, version: CATALOG_VERSION },
            "seeding the current catalog version over an earlier one",
          );
        await seedCatalog(b.store, { size: config.seedSize, bus: b.bus, log });
        await markSeeded(dir, CATALOG_VERSION);
      }
    }
    if ((b.search.isStale() || (await b.search.count()) === 0) && !(await b.store.isEmpty())) {
      await rebuildSearchIndex(b.store, b.search, log);
    }
    const indexer = await startSearchIndexer(b.bus, b.store, b.search, log);
    const trendingConsumer = await startTrendingConsumer(b.bus, b.trending, log);
    const artwork = artworkFiles(config.artworkDir ?? path.resolve(backends.embeddedDataDir, "artwork"));
    const pictures = artworkOrigin({ files: artwork, store: b.store, log });
    const warmer = warmArtwork(b.store, artwork, log);
    const relay = startAnnouncementRelay({
      store: b.store,
      bus: b.bus,
      log,
      intervalMs: config.outboxIntervalMs,
    });
    const server = await startService(
      {
        name: "content",
        services: [ContentService],
        defaultPort: SERVICE_PORTS.content,
        fallback: (req, res) => {
          if ((req.url ?? "").startsWith(ARTWORK_PREFIX)) {
            pictures(req as IncomingMessage, res as ServerResponse);
            return;
          }
          res.writeHead(404, { "content-type": "text/plain" });
          res.end("not found\n");
        },
        routes: (r) =>
          r.service(
            ContentService,
            contentService({
              store: b.store,
              search: b.search,
              trending: b.trending,
              bus: b.bus,
              log,
              trendingHalfLifeMs: config.trendingHalfLifeMs,
              trendingCacheMs: config.trendingCacheMs,
              genreCacheMs: config.genreCacheMs,
            }),
          ),
      },
      env,
    );
    return {
      ...server,
      async close() {
        await server.close();
        await Promise.all([indexer.stop(), trendingConsumer.stop(), relay.stop(), warmer.stop()]);
        await b.close();
      },
    };
  } catch (err) {
    await b.close();
    throw err;
  }
}
