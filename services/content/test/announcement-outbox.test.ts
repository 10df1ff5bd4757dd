import { createLogger } from "@marquee/kit";
import type { EventBus } from "@marquee/kit/bus";
import { waitFor } from "@marquee/kit/testing";
import test from "ava";
import { startAnnouncementRelay } from "../src/events.js";
import { callers, embeddedAdapters, startFixture } from "./fixture.js";
import { input } from "./helpers.js";

/** The bus, except that publishing can be switched off (a NATS outage as the publisher sees it). */
function switchable(bus: EventBus) {
  const state = { down: false };
  const wrapped: EventBus = {
    publish: (subject, data, msgId) =>
      state.down ? Promise.reject(new Error("bus unreachable")) : bus.publish(subject, data, msgId),
    consume: (opts) => bus.consume(opts),
    close: () => bus.close(),
  };
  return { bus: wrapped, state };
}

test("a title published while the bus is down reaches search through the relay once the bus is back", async (t) => {
  let outage = { down: false };
  const f = await startFixture({
    seedSize: 0,
    adapters: async (dir) => {
      const a = await embeddedAdapters(dir);
      const s = switchable(a.bus);
      outage = s.state;
      return { ...a, bus: s.bus };
    },
  });
  t.teardown(() => f.close());
  const op = f.client(callers.operator);
  const member = f.client(callers.adult);
  const { content } = await op.createContent({ content: input({ title: "Outage Harbour" }) });
  const id = content?.contentId ?? "";
  const found = async () =>
    (await member.searchContent({ query: "outage harbour", pageSize: 5 })).results.some(
      (r) => r.content?.contentId === id,
    );

  outage.down = true;
  await op.publishContent({ contentId: id });
  t.is((await member.getContentDetails({ contentId: id })).content?.title, "Outage Harbour", "published");
  t.deepEqual(
    (await f.store.pendingAnnouncements()).map((p) => p.contentId),
    [id],
    "its event is owed",
  );
  t.false(await found());

  outage.down = false;
  const relay = startAnnouncementRelay({
    store: f.store,
    bus: f.bus,
    log: createLogger("test", "silent"),
    intervalMs: 50,
  });
  t.teardown(() => relay.stop());
  await waitFor("the title in search", found, 15_000);
  await waitFor("nothing owed", async () => (await f.store.pendingAnnouncements()).length === 0);
});

test("a title written while the bus is up owes nothing afterwards", async (t) => {
  const f = await startFixture({ seedSize: 0 });
  t.teardown(() => f.close());
  const op = f.client(callers.operator);
  const { content } = await op.createContent({ content: input({ title: "Calm Waters" }) });
  await op.publishContent({ contentId: content?.contentId ?? "" });
  t.deepEqual(await f.store.pendingAnnouncements(), []);
});
