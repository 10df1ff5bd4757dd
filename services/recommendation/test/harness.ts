import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Client, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { CALLER_HEADER, type Caller, createLogger, encodeCaller, type Server, serve } from "@marquee/kit";
import { EmbeddedBus } from "@marquee/kit/embedded";
import { RecommendationService } from "@marquee/sdk/marquee/recommendation/v1/recommendation_service_pb";
import type { CatalogSource } from "../src/catalog-source.js";
import { learnTitle } from "../src/catalog-sync.js";
import { type Runtime, startRuntime } from "../src/runtime.js";
import { recommendationService } from "../src/service.js";
import type { TasteStore, TitleFacts } from "../src/store.js";
import { openEmbeddedStore } from "../src/store-embedded.js";
import {
  profileDeletedEvent,
  ratingEvent,
  reportEvent,
  userDeletedEvent,
  visibilityEvent,
} from "./events.js";

const log = createLogger("test", "silent");

/** A catalog the test controls, standing in for the content service. */
export class FakeCatalog implements CatalogSource {
  readonly titles = new Map<string, TitleFacts & { published: boolean }>();
  /** As the content service: only what members can see now. */
  async title(contentId: string) {
    const t = this.titles.get(contentId);
    return t?.published ? t : undefined;
  }
  async *browse() {
    for (const t of this.titles.values()) if (t.published) yield t;
  }
  async genres() {
    return new Map([["science-fiction", "Science Fiction"]]);
  }
}

export function titleFacts(over: Partial<TitleFacts> & { title: string }): TitleFacts {
  return {
    contentId: randomUUID(),
    genreIds: ["drama"],
    cast: [],
    synopsis: "",
    maturity: 1,
    availableFrom: 0,
    availableUntil: 0,
    popularity: 1,
    ...over,
  };
}

export interface Harness {
  dir: string;
  bus: EmbeddedBus;
  store: TasteStore;
  catalog: FakeCatalog;
  runtime: Runtime;
  server: Server;
  client: Client<typeof RecommendationService>;
  /** Call options stating a caller. */
  as(caller: Partial<Caller> & Pick<Caller, "kind">): { headers: Record<string, string> };
  member(profileId: string, maturityCap?: number): { headers: Record<string, string> };
  internal: { headers: Record<string, string> };
  publishTitle(facts: TitleFacts, published?: boolean, time?: number): Promise<void>;
  rate(profileId: string, contentId: string, value: number, time?: number): Promise<void>;
  /** One heartbeat report: a reading at each fraction watched, in order. */
  watch(
    profileId: string,
    contentId: string,
    fractions: number | readonly number[],
    opts?: { stopped?: boolean; time?: number },
  ): Promise<void>;
  deleteProfile(profileId: string): Promise<void>;
  deleteUser(profileIds: string[]): Promise<void>;
  /** Restarts the runtime and server on the same data (a process restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

let seq = 0;

export async function startHarness(
  dir = mkdtempSync(path.join(tmpdir(), "marquee-reco-svc-")),
): Promise<Harness> {
  const catalog = new FakeCatalog();
  let bus = await EmbeddedBus.open(path.join(dir, "bus"), log);
  let store = await openEmbeddedStore(path.join(dir, "store"));
  const boot = async () => {
    const runtime = await startRuntime({
      store,
      bus,
      source: catalog,
      log,
      model: { rankingTtlMs: 0 },
      rebuildIntervalMs: 3_600_000,
      retrainIntervalMs: 50,
      catalogSyncIntervalMs: 3_600_000,
    });
    const server = await serve({
      name: "recommendation-test",
      services: [RecommendationService],
      routes: (r) =>
        r.service(
          RecommendationService,
          recommendationService({
            model: () => runtime.engine.model,
            learnTitle: (id) => learnTitle(runtime.engine, catalog, id),
          }),
        ),
      port: 0,
      host: "127.0.0.1",
      log,
    });
    return { runtime, server };
  };
  let { runtime, server } = await boot();
  const as = (caller: Partial<Caller> & Pick<Caller, "kind">) => ({
    headers: { [CALLER_HEADER]: encodeCaller({ scopes: [], ...caller }) },
  });
  const publish = (subject: string, data: Uint8Array) =>
    bus.publish(subject, data, `t${++seq}:${randomUUID()}`);
  const h: Harness = {
    dir,
    get bus() {
      return bus;
    },
    get store() {
      return store;
    },
    catalog,
    get runtime() {
      return runtime;
    },
    get server() {
      return server;
    },
    get client() {
      return createClient(RecommendationService, createGrpcTransport({ baseUrl: server.url }));
    },
    as,
    member: (profileId, maturityCap) =>
      as({
        kind: "member",
        userId: randomUUID(),
        profileId,
        ...(maturityCap === undefined ? {} : { maturityCap }),
      }),
    internal: as({ kind: "internal", service: "gateway" }),
    async publishTitle(facts, published = true, time = Date.now()) {
      catalog.titles.set(facts.contentId, { ...facts, published });
      await publish(...visibilityEvent(facts.contentId, published, facts.maturity, time));
    },
    rate: (profileId, contentId, value, time = Date.now()) =>
      publish(...ratingEvent(profileId, contentId, value, time)),
    watch: (profileId, contentId, fractions, opts = {}) =>
      publish(...reportEvent(profileId, contentId, fractions, opts)),
    deleteProfile: (profileId) => publish(...profileDeletedEvent(profileId)),
    deleteUser: (profileIds) => publish(...userDeletedEvent(profileIds)),
    async restart() {
      await server.close();
      await runtime.stop();
      await bus.close();
      await store.close();
      bus = await EmbeddedBus.open(path.join(dir, "bus"), log);
      store = await openEmbeddedStore(path.join(dir, "store"));
      ({ runtime, server } = await boot());
    },
    async close() {
      await server.close();
      await runtime.stop();
      await bus.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}
