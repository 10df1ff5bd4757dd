import { type BusEvent, type EventBus, redeliveryDelayMs } from "@marquee/kit/bus";
import type { Implementation, TestFn } from "ava";
import { waitFor } from "../src/testing/index.js";

/** Opens a bus on fresh storage; calling `reopen` opens another bus on the same storage (a restart). */
export type BusFactory = () => Promise<{ bus: EventBus; reopen: () => Promise<EventBus> }>;

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (e: BusEvent) => new TextDecoder().decode(e.data);

/** The behaviour every EventBus adapter must have; each adapter's test file calls this. */
export function eventBusContract(test: TestFn, open: BusFactory, label = ""): void {
  const it = (title: string, fn: Implementation<[]>) => test(`${label}${title}`, fn);
  it("delivers published events to a durable consumer in order, data intact", async (t) => {
    const { bus } = await open();
    t.teardown(() => bus.close());
    for (const n of [1, 2, 3]) await bus.publish("user.deleted", bytes(`u${n}`), `m${n}`);
    const seen: BusEvent[] = [];
    const sub = await bus.consume({
      stream: "DOMAIN",
      durable: "d1",
      handler: async (e) => void seen.push(e),
    });
    await waitFor("three events", () => seen.length >= 3);
    await sub.stop();
    t.deepEqual(seen.map(text), ["u1", "u2", "u3"]);
    t.deepEqual(
      seen.map((e) => e.subject),
      ["user.deleted", "user.deleted", "user.deleted"],
    );
    t.deepEqual(
      seen.map((e) => e.msgId),
      ["m1", "m2", "m3"],
    );
    t.true(seen.every((e) => e.deliveryCount === 1));
  });

  it("a repeated msgId is stored once", async (t) => {
    const { bus } = await open();
    t.teardown(() => bus.close());
    await bus.publish("playback.heartbeat.p1", bytes("a"), "s1:1");
    await bus.publish("playback.heartbeat.p1", bytes("a"), "s1:1");
    await bus.publish("playback.heartbeat.p1", bytes("b"), "s1:2");
    const seen: string[] = [];
    const sub = await bus.consume({
      stream: "PLAYBACK",
      durable: "d2",
      handler: async (e) => void seen.push(e.msgId),
    });
    await waitFor("two events", () => seen.length >= 2);
    await bus.publish("playback.heartbeat.p1", bytes("c"), "s1:3");
    await waitFor("the third event", () => seen.length >= 3);
    await sub.stop();
    t.deepEqual(seen, ["s1:1", "s1:2", "s1:3"]);
  });

  it("a failed handler gets the event again, and an acked one never comes back", async (t) => {
    const { bus } = await open();
    t.teardown(() => bus.close());
    await bus.publish("rating.submitted", bytes("r1"), "r1");
    const attempts: number[] = [];
    const sub = await bus.consume({
      stream: "DOMAIN",
      durable: "d3",
      handler: async (e) => {
        attempts.push(e.deliveryCount);
        if (attempts.length < 3) throw new Error("store unavailable");
      },
    });
    await waitFor("a successful third attempt", () => attempts.length >= 3);
    await bus.publish("rating.submitted", bytes("r2"), "r2");
    await waitFor("the next event", () => attempts.length >= 4);
    await sub.stop();
    t.deepEqual(attempts.slice(0, 3), [1, 2, 3]);
    t.is(attempts.length, 4, "r1 was not delivered again after it was acknowledged");
  });

  it("new publishes do not speed up the redelivery of a failing event", async (t) => {
    const { bus } = await open();
    t.teardown(() => bus.close());
    const attempts: number[] = [];
    const sub = await bus.consume({
      stream: "DOMAIN",
      durable: "d5",
      filter: "user.deleted",
      handler: async (e) => {
        if (e.msgId !== "stuck") return;
        attempts.push(Date.now());
        if (attempts.length < 2) throw new Error("dependency down");
      },
    });
    await bus.publish("user.deleted", bytes("x"), "stuck");
    await waitFor("the first attempt", () => attempts.length >= 1);
    for (let i = 0; i < 20; i++) await bus.publish("user.deleted", bytes("y"), `other-${i}`);
    await waitFor("the retry", () => attempts.length >= 2);
    await sub.stop();
    const [first = 0, second = 0] = attempts;
    t.true(second - first >= redeliveryDelayMs(1) - 50, `retried after ${second - first} ms`);
  });

  it("a durable consumer resumes after a restart where it left off", async (t) => {
    const { bus, reopen } = await open();
    await bus.publish("profile.deleted", bytes("p1"), "p1");
    const first: string[] = [];
    const sub = await bus.consume({
      stream: "DOMAIN",
      durable: "d4",
      handler: async (e) => void first.push(text(e)),
    });
    await waitFor("p1", () => first.length >= 1);
    await sub.stop();
    await bus.publish("profile.deleted", bytes("p2"), "p2");
    await bus.close();

    const restarted = await reopen();
    t.teardown(() => restarted.close());
    const second: string[] = [];
    const again = await restarted.consume({
      stream: "DOMAIN",
      durable: "d4",
      handler: async (e) => void second.push(text(e)),
    });
    await waitFor("p2 after restart", () => second.length >= 1);
    await restarted.publish("profile.deleted", bytes("p3"), "p3");
    await waitFor("p3", () => second.length >= 2);
    await again.stop();
    t.deepEqual(first, ["p1"]);
    t.deepEqual(second, ["p2", "p3"]);
  });

  it("every durable consumer gets every event; a filter narrows by subject", async (t) => {
    const { bus } = await open();
    t.teardown(() => bus.close());
    const all: string[] = [];
    const users: string[] = [];
    const a = await bus.consume({
      stream: "DOMAIN",
      durable: "all",
      handler: async (e) => void all.push(e.subject),
    });
    const b = await bus.consume({
      stream: "DOMAIN",
      durable: "users",
      filter: "user.*",
      handler: async (e) => void users.push(e.subject),
    });
    await bus.publish("user.deleted", bytes("1"), "f1");
    await bus.publish("content.published", bytes("2"), "f2");
    await bus.publish("user.deleted", bytes("3"), "f3");
    await waitFor("all three on the unfiltered consumer", () => all.length >= 3);
    await waitFor("both user events on the filtered one", () => users.length >= 2);
    await Promise.all([a.stop(), b.stop()]);
    t.deepEqual(all, ["user.deleted", "content.published", "user.deleted"]);
    t.deepEqual(users, ["user.deleted", "user.deleted"]);
  });

  it("a subject outside every stream is refused", async (t) => {
    const { bus } = await open();
    t.teardown(() => bus.close());
    await t.throwsAsync(bus.publish("nowhere.at.all", bytes("x"), "x1"), {
      message: /no stream holds subject/,
    });
  });
}
