import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Client, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { CALLER_HEADER, type Caller, createLogger, encodeCaller, type Server, serve } from "@marquee/kit";
import type { EventBus } from "@marquee/kit/bus";
import { EmbeddedBus } from "@marquee/kit/embedded";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { seedCatalog } from "../src/catalog/seed.js";
import type { SearchIndex } from "../src/search.js";
import { EmbeddedSearchIndex } from "../src/search-embedded.js";
import { rebuildSearchIndex, startSearchIndexer } from "../src/search-indexer.js";
import { contentService } from "../src/service.js";
import type { ContentStore } from "../src/store.js";
import { EmbeddedContentStore } from "../src/store-embedded.js";
import { startTrendingConsumer } from "../src/trending-consumer.js";
import type { TrendingStore } from "../src/trending-store.js";
import { EmbeddedTrendingStore } from "../src/trending-store-embedded.js";

export const callers = {
  anonymous: { kind: "anonymous", scopes: [] },
  adult: { kind: "member", userId: "u-adult", profileId: "p-adult", scopes: [] },
  kids: { kind: "member", userId: "u-kids", profileId: "p-kids", maturityCap: 1, scopes: [] },
  teen: { kind: "member", userId: "u-teen", profileId: "p-teen", maturityCap: 3, scopes: [] },
  operator: { kind: "partner", partnerId: "studio", scopes: ["catalog:write"] },
  partner: { kind: "partner", partnerId: "reader", scopes: ["catalog:read"] },
  internal: { kind: "internal", service: "streaming", scopes: [] },
} satisfies Record<string, Caller>;

export interface Adapters {
  store: ContentStore;
  trending: TrendingStore;
  bus: EventBus;
  search: SearchIndex;
  /** Removes what the adapters created (keyspaces, indices), after they are closed. */
  cleanup: () => Promise<void>;
}

/** Every adapter embedded, under `dir`. */
export async function embeddedAdapters(dir: string): Promise<Adapters> {
  return {
    store: await EmbeddedContentStore.open(path.join(dir, "catalog")),
    trending: await EmbeddedTrendingStore.open(path.join(dir, "trending")),
    bus: await EmbeddedBus.open(path.join(dir, "bus"), createLogger("content-test", "silent")),
    search: new EmbeddedSearchIndex(),
    cleanup: async () => {},
  };
}

export interface ContentFixture {
  server: Server;
  bus: EventBus;
  store: ContentStore;
  search: SearchIndex;
  client(caller?: Caller): Client<typeof ContentService>;
  close(): Promise<void>;
}

/**
 * The content service on embedded adapters, served over real HTTP/2 on port 0
 * with the kit's interceptors (validation, caller header), seeded with a small
 * catalog, the search indexer and trending consumer running.
 */
export async function startFixture(
  opts: { seedSize?: number; adapters?: (dir: string) => Promise<Adapters> } = {},
): Promise<ContentFixture> {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-content-svc-"));
  const log = createLogger("content-test", "silent");
  const { store, trending, bus, search, cleanup } = await (opts.adapters ?? embeddedAdapters)(dir);
  if (opts.seedSize !== 0) await seedCatalog(store, { size: opts.seedSize ?? 200, log });
  await rebuildSearchIndex(store, search, log);
  const indexer = await startSearchIndexer(bus, store, search, log);
  const trendingConsumer = await startTrendingConsumer(bus, trending, log);
  const server = await serve({
    name: "content-test",
    services: [ContentService],
    routes: (r) =>
      r.service(
        ContentService,
        contentService({ store, search, trending, bus, log, trendingCacheMs: 0, genreCacheMs: 0 }),
      ),
    port: 0,
    host: "127.0.0.1",
    log,
  });
  const transport = createGrpcTransport({ baseUrl: server.url });
  return {
    server,
    bus,
    store,
    search,
    client(caller: Caller = callers.anonymous) {
      const client = createClient(ContentService, transport);
      const header = encodeCaller(caller);
      // Every call carries the caller, as the gateway would state it.
      return new Proxy(client, {
        get(target, prop) {
          const method = target[prop as keyof typeof target] as unknown;
          if (typeof method !== "function") return method;
          return (req: unknown, options: { headers?: Record<string, string> } = {}) =>
            (method as (r: unknown, o: unknown) => unknown).call(target, req, {
              ...options,
              headers: { ...(options.headers ?? {}), [CALLER_HEADER]: header },
            });
        },
      });
    },
    async close() {
      await server.close();
      await Promise.all([indexer.stop(), trendingConsumer.stop()]);
      await bus.close();
      await trending.close();
      await store.close();
      await cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
