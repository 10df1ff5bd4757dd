import {
  createLogger,
  createServiceClient,
  loadBackendsConfig,
  SERVICE_PORTS,
  type Server,
  startService,
  waitForDependency,
} from "@marquee/kit";
import { openEventBus } from "@marquee/kit/bus";
import { embeddedDir } from "@marquee/kit/embedded";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { RecommendationService } from "@marquee/sdk/marquee/recommendation/v1/recommendation_service_pb";
import { contentServiceCatalog } from "./catalog-source.js";
import { learnTitle } from "./catalog-sync.js";
import { loadRecommendationConfig } from "./config.js";
import { startRuntime } from "./runtime.js";
import { recommendationService } from "./service.js";
import type { TasteStore } from "./store.js";
import { openCassandraStore } from "./store-cassandra.js";
import { openEmbeddedStore } from "./store-embedded.js";

/**
 * Wires the recommendation service from the environment and serves it, once
 * the content service it takes the catalog from serves (it waits for it up to
 * MARQUEE_DEPENDENCY_TIMEOUT_MS).
 */
export async function startRecommendationService(
  env: Record<string, string | undefined> = process.env,
): Promise<Server> {
  const config = loadRecommendationConfig(env);
  const backends = loadBackendsConfig(env);
  const log = createLogger("recommendation", config.logLevel);
  await waitForDependency(
    { name: "content", url: config.contentUrl, service: ContentService.typeName },
    { timeoutMs: config.dependencyTimeoutMs, log },
  );
  const store: TasteStore =
    backends.mode === "external"
      ? await openCassandraStore({ config: backends.cassandra, log })
      : await openEmbeddedStore(embeddedDir(backends, "recommendation"));
  const bus = await openEventBus(backends, "recommendation", log);
  const source = contentServiceCatalog(createServiceClient(ContentService, config.contentUrl));
  const runtime = await startRuntime({
    store,
    bus,
    source,
    log,
    model: { neighbours: config.neighbours, l2: config.l2, rankingTtlMs: config.maxStalenessMs },
    rebuildIntervalMs: config.rebuildIntervalMs,
    retrainIntervalMs: config.retrainIntervalMs,
    catalogSyncIntervalMs: config.catalogSyncIntervalMs,
  });
  const server = await startService(
    {
      name: "recommendation",
      services: [RecommendationService],
      defaultPort: SERVICE_PORTS.recommendation,
      routes: (r) =>
        r.service(
          RecommendationService,
          recommendationService({
            model: () => runtime.engine.model,
            learnTitle: (id) => learnTitle(runtime.engine, source, id),
          }),
        ),
    },
    env,
  );
  return {
    ...server,
    async close() {
      await server.close();
      await runtime.stop();
      await bus.close();
      await store.close();
    },
  };
}
