import { randomBytes } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import { loadBackendsConfig } from "@marquee/kit";
import { connectNats, declareStream, natsManager } from "@marquee/kit/bus/jetstream";
import test from "ava";
import { jetStreamPublisher } from "../../src/bus/jetstream-publisher.js";

const config = loadBackendsConfig().nats;

async function stream(t: import("ava").ExecutionContext) {
  const nc = await connectNats(config, "kit-test");
  const jsm = await natsManager(nc);
  const name = `TEST_${randomBytes(4).toString("hex").toUpperCase()}`;
  const subject = `${name.toLowerCase()}.hb`;
  await declareStream(jsm, { name, subjects: [subject], duplicate_window: 60_000_000_000 });
  const publisher = jetStreamPublisher(nc);
  t.teardown(async () => {
    await jsm.streams.delete(name);
    await nc.drain();
    publisher.close();
  });
  return { jsm, name, subject, publisher };
}

test("publishes asked for together are each acked once stored, in order, and a repeated msgId once", async (t) => {
  const { jsm, name, subject, publisher } = await stream(t);
  const ids = Array.from({ length: 50 }, (_, i) => `s:${i}`);
  await Promise.all(
    [...ids, "s:7", "s:8"].map((id) => publisher.publish(subject, new TextEncoder().encode(id), id)),
  );
  t.is((await jsm.streams.info(name)).state.messages, 50);
  const first = await jsm.streams.getMessage(name, { seq: 1 });
  const last = await jsm.streams.getMessage(name, { seq: 50 });
  t.is(first?.header.get("Nats-Msg-Id"), "s:0");
  t.is(last?.header.get("Nats-Msg-Id"), "s:49");
});

test("a publish no stream takes fails, and does not hold up the others", async (t) => {
  const { subject, publisher } = await stream(t);
  const [nowhere, stored] = await Promise.allSettled([
    publisher.publish(`nowhere.${randomBytes(4).toString("hex")}`, new Uint8Array(), "x"),
    publisher.publish(subject, new Uint8Array(), "y"),
  ]);
  t.is(nowhere.status, "rejected");
  const refusal = (nowhere as PromiseRejectedResult).reason;
  t.regex(String(refusal), /no JetStream stream answered/);
  // A report the bus did not take is worth sending again: the retryable code, never Internal.
  t.is(ConnectError.from(refusal).code, Code.Unavailable);
  t.true(refusal instanceof ConnectError);
  t.is(stored.status, "fulfilled");
});
