import path from "node:path";
import {
  type BackendsConfig,
  createLogger,
  envs,
  loadAdminAddress,
  loadBackendsConfig,
  loadConfig,
  type Server,
  serve,
  WORKER_PORTS,
} from "@marquee/kit";
import { type EventBus, openEventBus, type Subscription } from "@marquee/kit/bus";
import { openCassandra } from "@marquee/kit/cassandra";
import { embeddedDir } from "@marquee/kit/embedded";
import type { Logger } from "pino";
import { type HistoryWriterOptions, startErasure, startHistoryWriter } from "./history/writer.js";
import { HISTORY_RETENTION_MONTHS, migrations } from "./migrations.js";
import type { StreamingStore } from "./store.js";
import { CassandraStreamingStore } from "./store-cassandra.js";
import { EmbeddedStreamingStore } from "./store-embedded.js";

/** The store the backends configuration asks for. */
export async function openStreamingStore(backends: BackendsConfig, log: Logger): Promise<StreamingStore> {
  if (backends.mode === "embedded")
    return EmbeddedStreamingStore.open(path.join(embeddedDir(backends, "streaming"), "store"));
  return new CassandraStreamingStore(
    await openCassandra({ config: backends.cassandra, keyspace: "marquee_streaming", migrations, log }),
  );
}

/** The streaming service's durable consumers: heartbeats into history, erasure of deleted profiles. */
export async function startConsumers(o: {
  bus: EventBus;
  store: StreamingStore;
  log: Logger;
  onDurable?: HistoryWriterOptions["onDurable"];
}): Promise<Subscription[]> {
  return [
    await startHistoryWriter({ bus: o.bus, store: o.store, log: o.log, onDurable: o.onDurable }),
    await startErasure({ bus: o.bus, store: o.store, log: o.log, months: HISTORY_RETENTION_MONTHS }),
  ];
}

/**
 * The consumers as their own process (`streaming-consumers`): in production
 * the history writer scales apart from the RPC tier and does not share its
 * event loop (the streaming service then runs with MARQUEE_STREAMING_CONSUMERS=0).
 * Serves health only, and metrics on its admin port.
 */
export async function startStreamingConsumers(
  env: Record<string, string | undefined> = process.env,
  overrides: { store?: StreamingStore; bus?: EventBus; onDurable?: HistoryWriterOptions["onDurable"] } = {},
): Promise<Server> {
  const config = loadConfig(
    {
      MARQUEE_STREAMING_CONSUMERS_HOST: envs.host(),
      MARQUEE_STREAMING_CONSUMERS_PORT: envs.port(WORKER_PORTS["streaming-consumers"]),
      MARQUEE_LOG_LEVEL: envs.logLevel(),
      MARQUEE_DRAIN_TIMEOUT_MS: envs.millis(10_000),
    },
    env,
  );
  const backends = loadBackendsConfig(env);
  const log = createLogger("streaming-consumers", config.MARQUEE_LOG_LEVEL);
  const store = overrides.store ?? (await openStreamingStore(backends, log));
  const bus = overrides.bus ?? (await openEventBus(backends, "streaming-consumers", log));
  const subscriptions = await startConsumers({ bus, store, log, onDurable: overrides.onDurable });
  const server = await serve({
    name: "streaming-consumers",
    services: [],
    routes: () => {},
    host: config.MARQUEE_STREAMING_CONSUMERS_HOST,
    port: config.MARQUEE_STREAMING_CONSUMERS_PORT,
    admin: loadAdminAddress("streaming-consumers", config.MARQUEE_STREAMING_CONSUMERS_PORT, env),
    drainTimeoutMs: config.MARQUEE_DRAIN_TIMEOUT_MS,
    log,
  });
  return {
    ...server,
    async close() {
      for (const s of subscriptions) await s.stop();
      await server.close();
      if (overrides.bus === undefined) await bus.close();
      if (overrides.store === undefined) await store.close();
    },
  };
}
