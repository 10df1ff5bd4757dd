/**
 * The streaming service as the heartbeat benchmark runs it, on real Cassandra
 * (the bench's keyspace) and JetStream (the bench's namespace), in one of two
 * processes, as in production: BENCH_ROLE=service serves the RPCs (consumers
 * off) and prints "ready <port>"; BENCH_ROLE=consumers runs the history
 * writer, keeps "<msgId> <epoch ms>" for each report it made durable, prints
 * "durable <heartbeats> <progress writes>" (readings of the durable reports) every 100 ms and, on
 * SIGUSR2, writes the kept lines to BENCH_DURABLE_FILE and prints "dumped"
 * (reporting each line as it happens would cost CPU while the bench measures).
 * Started by heartbeat-ingest.ts.
 */
import { writeFileSync } from "node:fs";
import { createLogger, loadBackendsConfig } from "@marquee/kit";
import { createJetStreamBus } from "@marquee/kit/bus/jetstream";
import { startStreamingService } from "@marquee/streaming";
import { startStreamingConsumers } from "@marquee/streaming/consumers";
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
  name: `bench-streaming-${process.env.BENCH_ROLE}`,
  log,
  namespace: process.env.BENCH_NAMESPACE,
});
const store = new CassandraStreamingStore(client);

let server: { port: number; close(): Promise<void> };
if (process.env.BENCH_ROLE === "consumers") {
  let progressWrites = 0;
  const recordProgress = store.recordProgress.bind(store);
  store.recordProgress = (w) => {
    progressWrites++;
    return recordProgress(w);
  };
  const durable: string[] = [];
  let heartbeats = 0;
  setInterval(() => process.stdout.write(`durable ${heartbeats} ${progressWrites}\n`), 100).unref();
  process.on("SIGUSR2", () => {
    writeFileSync(process.env.BENCH_DURABLE_FILE as string, durable.join("\n"));
    process.stdout.write("dumped\n");
  });
  server = await startStreamingConsumers(
    { ...process.env, MARQUEE_STREAMING_CONSUMERS_PORT: "0" },
    {
      store,
      bus,
      onDurable: (e, readings) => {
        heartbeats += readings;
        durable.push(`${e.msgId} ${Date.now()}`);
      },
    },
  );
} else {
  server = await startStreamingService(
    { ...process.env, MARQUEE_STREAMING_CONSUMERS: "0" },
    { store, bus, consumerBus: bus },
  );
}
process.stdout.write(`ready ${server.port}\n`);
process.once("SIGTERM", () => {
  void server.close().then(() => process.exit(0));
});
