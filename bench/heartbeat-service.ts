/**
 * The streaming service as the heartbeat benchmark runs it: its own process,
 * real Cassandra (the bench's keyspace) and JetStream (the bench's
 * namespace), with the history writer reporting each durable heartbeat on
 * stdout as "<msgId> <epoch ms>" lines (batched). Started by heartbeat-ingest.ts.
 */
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
let pending: string[] = [];
setInterval(() => {
  if (pending.length === 0) return;
  process.stdout.write(`${pending.join("\n")}\n`);
  pending = [];
}, 20).unref();
const server = await startStreamingService(process.env, {
  store: new CassandraStreamingStore(client),
  bus,
  consumerBus,
  onDurable: (e) => pending.push(`${e.msgId} ${Date.now()}`),
});
process.stdout.write(`ready ${server.port}\n`);
process.once("SIGTERM", () => {
  void server.close().then(() => process.exit(0));
});
