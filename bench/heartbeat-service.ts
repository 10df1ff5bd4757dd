/**
 * The streaming service as the heartbeat benchmark runs it: its own process,
 * real Cassandra (the bench's keyspace) and JetStream (the bench's
 * namespace). It keeps "<msgId> <epoch ms>" for each heartbeat the history
 * writer made durable, prints "durable <heartbeats> <progress writes>" every
 * 100 ms, and on SIGUSR2 writes the kept lines to BENCH_DURABLE_FILE and
 * prints "dumped" (reporting each line as it happens would cost the bench
 * CPU while it measures). Started by heartbeat-ingest.ts.
 */
import { writeFileSync } from "node:fs";
import { createJetStreamBus, createLogger, loadBackendsConfig } from "@marquee/kit";
import { startStreamingService } from "@marquee/streaming";
import { CassandraStreamingStore } from "@marquee/streaming/store-cassandra";
import { Client } from "cassandra-driver";

const backends = loadBackendsConfig();
const client = new Client({
  contactPoints: backends.cassandra.contactPoints,
  localDataCenter: backends.cassandra.localDataCenter,
  keyspace: process.env.BENCH_KEYSPACE,
  pooling: { coreConnectionsPerHost: { 0: 2, 1: 1, 2: 0 } },
});
await client.connect();
const log = createLogger("bench", "warn");
const bus = await createJetStreamBus({
  config: backends.nats,
  name: "bench-streaming",
  log,
  namespace: process.env.BENCH_NAMESPACE,
});
const consumerBus = await createJetStreamBus({
  config: backends.nats,
  name: "bench-streaming-consumers",
  log,
  namespace: process.env.BENCH_NAMESPACE,
});
const store = new CassandraStreamingStore(client);
let progressWrites = 0;
const recordProgress = store.recordProgress.bind(store);
store.recordProgress = (w) => {
  progressWrites++;
  return recordProgress(w);
};
const durable: string[] = [];
setInterval(() => process.stdout.write(`durable ${durable.length} ${progressWrites}\n`), 100).unref();
process.on("SIGUSR2", () => {
  writeFileSync(process.env.BENCH_DURABLE_FILE as string, durable.join("\n"));
  process.stdout.write("dumped\n");
});
const server = await startStreamingService(process.env, {
  store,
  bus,
  consumerBus,
  onDurable: (e) => durable.push(`${e.msgId} ${Date.now()}`),
});
process.stdout.write(`ready ${server.port}\n`);
process.once("SIGTERM", () => {
  void server.close().then(() => process.exit(0));
});
