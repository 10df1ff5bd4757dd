import { z } from "zod";
import { envs, loadConfig } from "./config.js";

/**
 * Where the real backends are and how to use them, read once per process.
 * MARQUEE_BACKENDS=embedded (the `npm start` default) keeps every port on its
 * embedded adapter under MARQUEE_EMBEDDED_DATA_DIR; =external uses Cassandra,
 * NATS JetStream and OpenSearch at these addresses.
 */
export function loadBackendsConfig(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(
    {
      MARQUEE_BACKENDS: z.enum(["embedded", "external"]).default("embedded"),
      MARQUEE_EMBEDDED_DATA_DIR: z.string().min(1).default("data"),
      MARQUEE_CASSANDRA_CONTACT_POINTS: z.string().min(1).default("127.0.0.1:9042"),
      MARQUEE_CASSANDRA_LOCAL_DC: z.string().min(1).default("datacenter1"),
      MARQUEE_CASSANDRA_REPLICATION: z
        .string()
        .regex(
          /^\{.*'class'.*\}$/,
          "a CQL replication map such as {'class': 'SimpleStrategy', 'replication_factor': 1}",
        )
        .default("{'class': 'SimpleStrategy', 'replication_factor': 1}"),
      MARQUEE_NATS_URL: z.string().min(1).default("nats://127.0.0.1:4222"),
      MARQUEE_NATS_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
      /** PLAYBACK split into this many streams (one stream leader caps a stream's rate); all processes must agree. */
      MARQUEE_NATS_PLAYBACK_SHARDS: z.coerce.number().int().min(1).max(256).default(1),
      /** One URL, or the cluster's nodes comma-separated: the client spreads requests and skips dead ones. */
      MARQUEE_OPENSEARCH_URL: envs.urls("http://127.0.0.1:9200"),
      MARQUEE_OPENSEARCH_REPLICAS: z.coerce.number().int().min(0).max(5).default(0),
    },
    env,
  );
  return {
    mode: config.MARQUEE_BACKENDS,
    embeddedDataDir: config.MARQUEE_EMBEDDED_DATA_DIR,
    cassandra: {
      contactPoints: config.MARQUEE_CASSANDRA_CONTACT_POINTS.split(",").map((s) => s.trim()),
      localDataCenter: config.MARQUEE_CASSANDRA_LOCAL_DC,
      replication: config.MARQUEE_CASSANDRA_REPLICATION,
    },
    nats: {
      servers: config.MARQUEE_NATS_URL.split(",").map((s) => s.trim()),
      replicas: config.MARQUEE_NATS_REPLICAS,
      playbackShards: config.MARQUEE_NATS_PLAYBACK_SHARDS,
    },
    opensearch: { nodes: config.MARQUEE_OPENSEARCH_URL, replicas: config.MARQUEE_OPENSEARCH_REPLICAS },
  };
}

export type BackendsConfig = ReturnType<typeof loadBackendsConfig>;
