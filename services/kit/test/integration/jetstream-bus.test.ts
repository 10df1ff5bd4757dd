import { randomBytes } from "node:crypto";
import { createLogger, loadBackendsConfig } from "@marquee/kit";
import { connectNats, createJetStreamBus, natsManager } from "@marquee/kit/bus/jetstream";
import test from "ava";
import { waitFor } from "../../src/testing/index.js";
import { eventBusContract } from "../bus-contract.js";

const config = loadBackendsConfig().nats;
const log = createLogger("test", "silent");

/** A bus in a namespace of its own, apart from other tests and from a running platform. */
function namespaced(playbackShards: number) {
  const namespace = `t${randomBytes(4).toString("hex")}`;
  const open = () =>
    createJetStreamBus({ config: { ...config, playbackShards }, name: "bus-test", log, namespace });
  return { namespace, open };
}

eventBusContract(test, async () => {
  const { open } = namespaced(1);
  return { bus: await open(), reopen: open };
});

// The same contract with PLAYBACK split into streams.
eventBusContract(
  test,
  async () => {
    const { open } = namespaced(4);
    return { bus: await open(), reopen: open };
  },
  "sharded PLAYBACK: ",
);

test("a sharded PLAYBACK spreads subjects over its streams and delivers every event once, subjects intact", async (t) => {
  const { namespace, open } = namespaced(4);
  const bus = await open();
  t.teardown(() => bus.close());
  const subjects = Array.from({ length: 40 }, (_, i) => `playback.heartbeat.profile-${i}`);
  const published: string[] = [];
  for (const subject of subjects) {
    for (const seq of [1, 2, 3]) {
      await bus.publish(subject, new TextEncoder().encode(subject), `${subject}:${seq}`);
      published.push(`${subject}:${seq}`);
    }
  }
  // Retries of a session's heartbeats land in the same stream and are dropped there.
  for (const subject of subjects) await bus.publish(subject, new Uint8Array(), `${subject}:1`);
  const seen = new Map<string, { subject: string; count: number }>();
  const order = new Map<string, string[]>();
  const sub = await bus.consume({
    stream: "PLAYBACK",
    durable: "writer",
    filter: "playback.heartbeat.>",
    maxInFlight: 1,
    handler: async (e) => {
      const entry = seen.get(e.msgId) ?? { subject: e.subject, count: 0 };
      entry.count++;
      seen.set(e.msgId, entry);
      order.set(e.subject, [...(order.get(e.subject) ?? []), e.msgId]);
    },
  });
  await waitFor("every event", () => seen.size >= published.length);
  await sub.stop();
  t.deepEqual([...seen.keys()].sort(), [...published].sort());
  t.true([...seen.values()].every((e) => e.count === 1));
  t.true([...seen.entries()].every(([id, e]) => id.startsWith(`${e.subject}:`)));
  for (const subject of subjects) {
    t.deepEqual(
      order.get(subject),
      [1, 2, 3].map((n) => `${subject}:${n}`),
      "one subject stays in order",
    );
  }
  const nc = await connectNats(config, "bus-test-inspect");
  t.teardown(() => nc.close());
  const jsm = await natsManager(nc);
  const counts = await Promise.all(
    [0, 1, 2, 3].map(
      async (i) => (await jsm.streams.info(`${namespace.toUpperCase()}_PLAYBACK_${i}`)).state.messages,
    ),
  );
  t.is(
    counts.reduce((a, b) => a + b, 0),
    published.length,
  );
  t.true(counts.filter((n) => n > 0).length >= 3, `messages per stream: ${counts.join(", ")}`);
});
