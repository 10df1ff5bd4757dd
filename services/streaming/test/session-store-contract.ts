import { randomUUID } from "node:crypto";
import { waitFor } from "@marquee/kit/testing";
import type { TestFn } from "ava";
import { readSessionState } from "../src/playback/live-sessions.js";
import { uuidv7 } from "../src/playback/session-id.js";
import type { SessionRecord, SessionStore } from "../src/playback/session-store.js";
import type { StoreFactory } from "./store-factory.js";

/** The behaviour every SessionStore adapter must have; each adapter's test file calls this. */
export function sessionStoreContract(test: TestFn, open: StoreFactory<SessionStore>): void {
  test("parallel reservations never hold more slots than the plan allows", async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const userId = randomUUID();
    const sessions = Array.from({ length: 8 }, () => randomUUID());
    const slots = await Promise.all(sessions.map((s) => store.reserveSlot(userId, s, 2, 60_000)));
    const granted = slots.filter((s) => s !== undefined);
    t.is(granted.length, 2);
    t.deepEqual([...granted].sort(), [0, 1]);
    t.is(await store.countSlots(userId), 2);
    // Releasing one frees exactly one; a session that does not hold a slot cannot release it.
    const holder = sessions[slots.indexOf(0)] as string;
    await store.releaseSlot(userId, 0, randomUUID());
    t.is(await store.reserveSlot(userId, randomUUID(), 2, 60_000), undefined);
    await store.releaseSlot(userId, 0, holder);
    t.is(await store.reserveSlot(userId, randomUUID(), 2, 60_000), 0);
    t.false(await store.renewSlot(userId, 0, holder, 60_000), "the slot went to another session");
  });

  test("a slot whose lease is not renewed frees itself", async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const userId = randomUUID();
    const first = randomUUID();
    // Leases of a few seconds (Cassandra TTLs count whole seconds) leave room for a busy machine
    // between the reserve and the checks that the slot is still held.
    t.is(await store.reserveSlot(userId, first, 1, 4_000), 0);
    t.true(await store.renewSlot(userId, 0, first, 4_000));
    t.is(await store.reserveSlot(userId, randomUUID(), 1, 4_000), undefined);
    const next = randomUUID();
    await waitFor(
      "the stale slot to expire",
      async () => (await store.reserveSlot(userId, next, 1, 60_000)) === 0,
      20_000,
    );
    t.false(await store.renewSlot(userId, 0, first, 4_000));
  });

  test("a slot's holder is the session holding it now: nobody once it is released or its lease lapsed", async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const userId = randomUUID();
    const [first, second] = [randomUUID(), randomUUID()];
    t.is(await store.slotHolder(userId, 0), undefined);
    t.is(await store.reserveSlot(userId, first, 2, 60_000), 0);
    t.is(await store.reserveSlot(userId, second, 2, 4_000), 1);
    t.is(await store.slotHolder(userId, 0), first);
    t.is(await store.slotHolder(userId, 1), second);
    t.is(await store.slotHolder(randomUUID(), 0), undefined, "another account's slot");
    await store.releaseSlot(userId, 0, first);
    t.is(await store.slotHolder(userId, 0), undefined);
    await waitFor(
      "the unrenewed lease to lapse",
      async () => (await store.slotHolder(userId, 1)) === undefined,
      20_000,
    );
  });

  test("a session is live while it holds its slot, lapsed once it does not, ended once stopped or unknown", async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const userId = randomUUID();
    const sessionId = uuidv7();
    const session: SessionRecord = {
      sessionId,
      userId,
      profileId: randomUUID(),
      contentId: randomUUID(),
      episodeId: "",
      deviceId: "tv",
      assetId: "asset-1",
      durationMs: 60_000,
      maxHeight: 0,
      maxStreams: 1,
      slot: 0,
      startTime: new Date(Math.floor(Date.now() / 1000) * 1000),
      country: "",
      ended: false,
    };
    t.is(await store.reserveSlot(userId, sessionId, 1, 4_000), 0);
    await store.putSession(session, 60_000);
    t.is(await readSessionState(store, sessionId), "live");
    await waitFor(
      "the slot to lapse",
      async () => (await readSessionState(store, sessionId)) === "lapsed",
      20_000,
    );
    // Another session takes the slot: still lapsed, not live.
    t.is(await store.reserveSlot(userId, uuidv7(), 1, 60_000), 0);
    t.is(await readSessionState(store, sessionId), "lapsed");
    await store.putSession({ ...session, ended: true }, 60_000);
    t.is(await readSessionState(store, sessionId), "ended");
    t.is(await readSessionState(store, uuidv7()), "ended", "an unknown session");
  });

  test("sessions are saved and read back", async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const session: SessionRecord = {
      sessionId: uuidv7(),
      userId: randomUUID(),
      profileId: randomUUID(),
      contentId: randomUUID(),
      episodeId: "",
      deviceId: "phone-1",
      assetId: "asset-1",
      durationMs: 123_000,
      maxHeight: 720,
      maxStreams: 2,
      slot: 1,
      startTime: new Date(Math.floor(Date.now() / 1000) * 1000),
      country: "NL",
      ended: false,
    };
    await store.putSession(session, 60_000);
    t.deepEqual(await store.getSession(session.sessionId), session);
    await store.putSession({ ...session, ended: true }, 60_000);
    t.true((await store.getSession(session.sessionId))?.ended);
    t.is(await store.getSession(uuidv7()), undefined);
  });
}
