import { randomBytes } from "node:crypto";
import { createLogger, loadBackendsConfig } from "@marquee/kit";
import { createJetStreamBus } from "@marquee/kit/bus/jetstream";
import test from "ava";
import { CassandraStreamingStore } from "../../src/store-cassandra.js";
import { startHarness } from "../harness.js";
import { mediaAccessSuite } from "../media-access-suite.js";
import { type HarnessFactory, playbackSuite } from "../playback-suite.js";
import { freshKeyspace } from "./keyspace.js";

const nats = loadBackendsConfig().nats;
let keyspace: Awaited<ReturnType<typeof freshKeyspace>> | undefined;
test.before(async () => {
  keyspace = await freshKeyspace();
});
test.after.always(async () => {
  await keyspace?.drop();
});

// Real Cassandra (fresh keyspace) and real JetStream (a namespace per test).
const open: HarnessFactory = async (opts) => {
  const namespace = `t${randomBytes(4).toString("hex")}`;
  const bus = await createJetStreamBus({
    config: nats,
    name: "streaming-test",
    log: createLogger("test", "silent"),
    namespace,
  });
  const store = new CassandraStreamingStore((keyspace as NonNullable<typeof keyspace>).client, false);
  const h = await startHarness({ ...opts, store, bus });
  return {
    ...h,
    async close() {
      await h.close();
      await bus.close();
    },
  };
};
playbackSuite(test, open);
mediaAccessSuite(test, open);
