import { randomBytes } from "node:crypto";
import { loadBackendsConfig } from "@marquee/kit";
import { connectNats, declareConsumer, declareStream, natsManager } from "@marquee/kit/bus/jetstream";
import { AckPolicy, jetstream } from "@nats-io/jetstream";
import test from "ava";

const config = loadBackendsConfig().nats;

test("streams and durable consumers are declared idempotently and follow declaration changes", async (t) => {
  const nc = await connectNats(config, "kit-test");
  t.teardown(() => nc.drain());
  const jsm = await natsManager(nc);
  const name = `TEST_${randomBytes(4).toString("hex").toUpperCase()}`;
  t.teardown(() => jsm.streams.delete(name).then(() => undefined));
  const declared = {
    name,
    subjects: [`${name.toLowerCase()}.>`],
    duplicate_window: 60_000_000_000,
    max_age: 0,
  };

  const [a, b] = await Promise.all([declareStream(jsm, declared), declareStream(jsm, declared)]);
  t.is(a.config.name, name);
  t.deepEqual(a.created, b.created, "two processes declaring at once end with one stream");

  const changed = await declareStream(jsm, { ...declared, max_age: 3_600_000_000_000 });
  t.is(changed.config.max_age, 3_600_000_000_000);

  const consumer = { durable_name: "writer", ack_policy: AckPolicy.Explicit, max_ack_pending: 100 };
  const c1 = await declareConsumer(jsm, name, consumer);
  const c2 = await declareConsumer(jsm, name, consumer);
  t.deepEqual(c1.created, c2.created);
  const c3 = await declareConsumer(jsm, name, { ...consumer, max_ack_pending: 50 });
  t.is(c3.config.max_ack_pending, 50);
});

test("a publish repeated with the same msgID is stored once", async (t) => {
  const nc = await connectNats(config, "kit-test");
  t.teardown(() => nc.drain());
  const jsm = await natsManager(nc);
  const name = `TEST_${randomBytes(4).toString("hex").toUpperCase()}`;
  t.teardown(() => jsm.streams.delete(name).then(() => undefined));
  const subject = `${name.toLowerCase()}.hb`;
  await declareStream(jsm, { name, subjects: [subject], duplicate_window: 60_000_000_000 });
  const js = jetstream(nc);
  const first = await js.publish(subject, "1", { msgID: "session-1:1" });
  const retry = await js.publish(subject, "1", { msgID: "session-1:1" });
  await js.publish(subject, "2", { msgID: "session-1:2" });
  t.false(first.duplicate);
  t.true(retry.duplicate);
  t.is((await jsm.streams.info(name)).state.messages, 2);
});
