import { createLogger, loadBackendsConfig, SERVICE_PORTS, type Server, startService } from "@marquee/kit";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { openContentBackends } from "./backends.js";
import { seedCatalog } from "./catalog/seed.js";
import { loadContentConfig } from "./config.js";
import { startAnnouncementRelay } from "./events.js";
import { rebuildSearchIndex, startSearchIndexer } from "./search-indexer.js";
import { contentService } from "./service.js";
import { startTrendingConsumer } from "./trending-consumer.js";

/**
 * Wires the content service from the environment and serves it: adapters,
 * the catalog seed on a first embedded start, search rebuilt from the store
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
    if (backends.mode === "embedded" && config.seedOnEmpty && (await b.store.isEmpty())) {
      await seedCatalog(b.store, { size: config.seedSize, bus: b.bus, log });
    }
    if ((b.search.isStale() || (await b.search.count()) === 0) && !(await b.store.isEmpty())) {
      await rebuildSearchIndex(b.store, b.search, log);
    }
    const indexer = await startSearchIndexer(b.bus, b.store, b.search, log);
    const trendingConsumer = await startTrendingConsumer(b.bus, b.trending, log);
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
        await Promise.all([indexer.stop(), trendingConsumer.stop(), relay.stop()]);
        await b.close();
      },
    };
  } catch (err) {
    await b.close();
    throw err;
  }
}
