import path from "node:path";
import type { BackendsConfig, Logger } from "@marquee/kit";
import { type EventBus, openEventBus } from "@marquee/kit/bus";
import { embeddedDir } from "@marquee/kit/embedded";
import { createSearchClient } from "@marquee/kit/opensearch";
import type { ContentConfig } from "./config.js";
import type { SearchIndex } from "./search.js";
import { EmbeddedSearchIndex } from "./search-embedded.js";
import { OpenSearchIndex } from "./search-opensearch.js";
import type { ContentStore } from "./store.js";
import { CassandraContentStore } from "./store-cassandra.js";
import { EmbeddedContentStore } from "./store-embedded.js";
import type { TrendingStore } from "./trending-store.js";
import { CassandraTrendingStore } from "./trending-store-cassandra.js";
import { EmbeddedTrendingStore } from "./trending-store-embedded.js";

export interface ContentBackends {
  store: ContentStore;
  search: SearchIndex;
  trending: TrendingStore;
  bus: EventBus;
  close(): Promise<void>;
}

/** The adapters the configuration asks for: Cassandra, OpenSearch and JetStream, or their embedded twins. */
export async function openContentBackends(
  backends: BackendsConfig,
  config: ContentConfig,
  log: Logger,
): Promise<ContentBackends> {
  const bus = await openEventBus(backends, "content", log);
  if (backends.mode === "external") {
    const store = await CassandraContentStore.open(backends.cassandra, log);
    const search = await OpenSearchIndex.open(createSearchClient(backends.opensearch), {
      alias: config.searchAlias,
      replicas: backends.opensearch.replicas,
    });
    const trending = new CassandraTrendingStore(store.client);
    return {
      store,
      search,
      trending,
      bus,
      async close() {
        await bus.close();
        await search.close();
        await store.close();
      },
    };
  }
  const dir = embeddedDir(backends, "content");
  const store = await EmbeddedContentStore.open(path.join(dir, "catalog"));
  const trending = await EmbeddedTrendingStore.open(path.join(dir, "trending"));
  const search = new EmbeddedSearchIndex();
  return {
    store,
    search,
    trending,
    bus,
    async close() {
      await bus.close();
      await trending.close();
      await store.close();
    },
  };
}
