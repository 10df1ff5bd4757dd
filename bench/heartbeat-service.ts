/**
 * The streaming service as the heartbeat benchmark runs it, on real Cassandra
 * (the bench's keyspace) and JetStream (the bench's namespace), in one of two
 * processes, as in production: BENCH_ROLE=service serves the RPCs (consumers
 * off) and prints "ready <port>"; BENCH_ROLE=consumers runs the history
 * writer, keeps "<msgId> <epoch ms>" for each report it made durable and prints
 * "durable <heartbeats> <progress writes>" (readings of the durable reports)
 * every 100 ms. Started by heartbeat-ingest.ts, which drives it with lines on
 * stdin:
 *
 * - `publish off` / `publish on` (service): the receive-only floor. Off, the
 *   service's bus drops every publish and answers at once, so the service
 *   checks and answers reports but publishes nothing. The switch lives here,
 *   in the bench's own entry file: no configuration of the service reaches it.
 * - `dump` (consumers): writes the kept lines to BENCH_DURABLE_FILE and prints
 *   "dumped" (reporting each line as it happens would cost CPU while the bench
 *   measures).
 * - `profile start` / `profile stop <file>`: a CPU profile of this process over
 *   one measured phase (not start-up); prints "profiling", then "profiled <file>".
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { createInterface } from "node:readline";
import { createLogger, loadBackendsConfig } from "@marquee/kit";
import type { EventBus } from "@marquee/kit/bus";
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
const say = (line: string) => process.stdout.write(`${line}\n`);

const inspector = new Session();
inspector.connect();
const commands: Record<string, (arg: string) => Promise<void> | void> = {
  "profile start": async () => {
    await inspector.post("Profiler.enable");
    await inspector.post("Profiler.start");
    say("profiling");
  },
  "profile stop": async (file) => {
    const { profile } = await inspector.post("Profiler.stop");
    writeFileSync(file, JSON.stringify(profile));
    say(`profiled ${file}`);
  },
};

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
  setInterval(() => say(`durable ${heartbeats} ${progressWrites}`), 100).unref();
  commands.dump = () => {
    writeFileSync(process.env.BENCH_DURABLE_FILE as string, durable.join("\n"));
    say("dumped");
  };
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
  let publishing = true;
  const switched: EventBus = {
    publish: (subject, data, msgId) => (publishing ? bus.publish(subject, data, msgId) : Promise.resolve()),
    consume: (opts) => bus.consume(opts),
    close: () => bus.close(),
  };
  commands["publish on"] = () => {
    publishing = true;
    say("publishing on");
  };
  commands["publish off"] = () => {
    publishing = false;
    say("publishing off");
  };
  server = await startStreamingService(
    { ...process.env, MARQUEE_STREAMING_CONSUMERS: "0" },
    { store, bus: switched, consumerBus: bus },
  );
}
createInterface({ input: process.stdin }).on("line", (line) => {
  const name = Object.keys(commands).find((c) => line === c || line.startsWith(`${c} `));
  if (name === undefined) throw new Error(`unknown command: ${line}`);
  void (commands[name] as (arg: string) => Promise<void> | void)(line.slice(name.length + 1));
});
say(`ready ${server.port}`);
process.once("SIGTERM", () => {
  void server.close().then(() => process.exit(0));
});
