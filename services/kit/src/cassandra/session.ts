import { Client, types } from "cassandra-driver";
import type { Logger } from "pino";
import type { BackendsConfig } from "../backends-config.js";
import { traceCassandra } from "../tracing/cassandra.js";
import { tracerFor } from "../tracing/state.js";
import { applyMigrations, type Migration } from "./migrations.js";

export interface CassandraOptions {
  config: BackendsConfig["cassandra"];
  /** The service's own keyspace, e.g. "marquee_user". */
  keyspace: string;
  migrations: Migration[];
  log: Logger;
}

const KEYSPACE_NAME = /^[a-z][a-z0-9_]{0,47}$/;

/**
 * A session bound to the service's keyspace, created on first use with the
 * configured replication and brought up to date with the service's versioned
 * migrations before any request is served.
 */
export async function openCassandra(opts: CassandraOptions): Promise<Client> {
  if (!KEYSPACE_NAME.test(opts.keyspace)) throw new Error(`invalid keyspace name ${opts.keyspace}`);
  const admin = new Client({
    contactPoints: opts.config.contactPoints,
    localDataCenter: opts.config.localDataCenter,
  });
  try {
    await admin.connect();
    await admin.execute(
      `CREATE KEYSPACE IF NOT EXISTS ${opts.keyspace} WITH replication = ${opts.config.replication}`,
    );
  } finally {
    await admin.shutdown();
  }
  const client = new Client({
    contactPoints: opts.config.contactPoints,
    localDataCenter: opts.config.localDataCenter,
    keyspace: opts.keyspace,
    queryOptions: { prepare: true, consistency: types.consistencies.localQuorum },
  });
  await client.connect();
  try {
    await applyMigrations(client, opts.migrations, opts.log);
  } catch (err) {
    await client.shutdown();
    throw err;
  }
  const tracer = tracerFor("cassandra");
  if (tracer !== undefined) traceCassandra(client, tracer);
  return client;
}
