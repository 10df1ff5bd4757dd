import { randomUUID } from "node:crypto";
import type { TestFn } from "ava";
import type { HistoryStore, ProgressWrite } from "../src/history/history-store.js";
import { uuidv7 } from "../src/playback/session-id.js";
import type { StoreFactory } from "./store-factory.js";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

/** The behaviour every HistoryStore adapter must have; each adapter's test file calls this. */
export function historyStoreContract(test: TestFn, open: StoreFactory<HistoryStore>): void {
  test("progress keeps the newest reading: replayed and reordered ones never move it back", async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const base = Date.now() - 5 * MIN;
    const first = reading({ eventTime: new Date(base), positionMs: 100_000 });
    const later = { ...first, eventTime: new Date(base + 30_000), positionMs: 130_000 };
    await store.recordProgress(later);
    await store.recordProgress(first); // arrives late
    await store.recordProgress(first); // and again
    const p = await store.getProgress(first.profileId, first.contentId);
    t.is(p?.positionMs, 130_000);
    t.is(p?.updateTime.getTime(), base + 30_000);
    const history = await store.listHistory(first.profileId, 10, undefined, Date.now(), 13);
    t.is(history.entries.length, 1, "one history entry per session, however often it is written");
    t.is(history.entries[0]?.positionMs, 130_000);
    // A newer reading still moves it, even to an earlier position (the viewer seeked back).
    await store.recordProgress({ ...first, eventTime: new Date(base + 60_000), positionMs: 90_000 });
    t.is((await store.getProgress(first.profileId, first.contentId))?.positionMs, 90_000);
  });

  test("progress lists every title of the profile, and only of that profile", async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const profileId = randomUUID();
    const now = Date.now();
    const a = reading({ profileId, eventTime: new Date(now - 3 * MIN) });
    const b = reading({
      profileId,
      eventTime: new Date(now - 2 * MIN),
      completed: true,
      positionMs: 590_000,
    });
    await store.recordProgress(a);
    await store.recordProgress(b);
    await store.recordProgress(reading({ eventTime: new Date(now) }));
    const list = await store.listProgress(profileId);
    t.deepEqual(list.map((p) => p.contentId).sort(), [a.contentId, b.contentId].sort());
    t.true(list.find((p) => p.contentId === b.contentId)?.completed);
    t.is(await store.getProgress(profileId, randomUUID()), undefined);
  });

  test("history pages newest first across month buckets, without repeats or gaps", async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const profileId = randomUUID();
    const now = Date.now();
    // Seven sessions spread over about a hundred days: several month buckets.
    const writes = [0, 1, 15, 33, 34, 70, 100].map((days) =>
      reading({
        profileId,
        watchedAt: new Date(now - days * DAY - MIN),
        eventTime: new Date(now - days * DAY),
      }),
    );
    for (const w of writes) await store.recordProgress(w);
    const seen: string[] = [];
    let cursor: Parameters<HistoryStore["listHistory"]>[2];
    let pages = 0;
    do {
      const page = await store.listHistory(profileId, 3, cursor, now, 13);
      seen.push(...page.entries.map((e) => e.sessionId));
      cursor = page.next;
      pages++;
    } while (cursor !== undefined && pages < 10);
    t.deepEqual(
      seen,
      writes.map((w) => w.sessionId),
    );
    t.is(pages, 3);
    const short = await store.listHistory(profileId, 10, undefined, now, 2);
    t.true(short.entries.length < writes.length, "buckets beyond the retention are not read");
  });

  test("removing a title forgets its progress and history; older late readings stay forgotten", async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const profileId = randomUUID();
    const now = Date.now();
    const gone = reading({ profileId, eventTime: new Date(now - 2 * MIN) });
    const kept = reading({ profileId, eventTime: new Date(now - 2 * MIN) });
    await store.recordProgress(gone);
    await store.recordProgress({
      ...gone,
      sessionId: uuidv7(now - 5 * DAY),
      watchedAt: new Date(now - 5 * DAY),
    });
    await store.recordProgress(kept);
    await store.removeTitle(profileId, gone.contentId, new Date(now - MIN), 13);
    await store.recordProgress({ ...gone, eventTime: new Date(now - 90_000) }); // delayed, older than the removal
    t.is(await store.getProgress(profileId, gone.contentId), undefined);
    const history = await store.listHistory(profileId, 10, undefined, now, 13);
    t.deepEqual(
      history.entries.map((e) => e.contentId),
      [kept.contentId],
    );
    // Watching it again afterwards counts again.
    await store.recordProgress({ ...gone, eventTime: new Date(now) });
    t.truthy(await store.getProgress(profileId, gone.contentId));
  });

  test("erasing a profile forgets all it watched, and late older readings stay erased", async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const profileId = randomUUID();
    const other = reading({ eventTime: new Date(Date.now() - MIN) });
    const now = Date.now();
    const w = reading({ profileId, eventTime: new Date(now - 2 * MIN) });
    await store.recordProgress(w);
    await store.recordProgress(reading({ profileId, eventTime: new Date(now - 40 * DAY) }));
    await store.recordProgress(other);
    await store.eraseProfile(profileId, new Date(now - MIN), 13);
    await store.recordProgress({ ...w, eventTime: new Date(now - 90_000) });
    t.deepEqual(await store.listProgress(profileId), []);
    t.deepEqual((await store.listHistory(profileId, 10, undefined, now, 13)).entries, []);
    t.truthy(await store.getProgress(other.profileId, other.contentId), "other profiles keep theirs");
  });
}

function reading(over: Partial<ProgressWrite> & { eventTime: Date }): ProgressWrite {
  const watchedAt = over.watchedAt ?? new Date(over.eventTime.getTime() - 10 * MIN);
  return {
    profileId: randomUUID(),
    contentId: randomUUID(),
    episodeId: "",
    sessionId: uuidv7(watchedAt.getTime()),
    watchedAt,
    positionMs: 60_000,
    durationMs: 600_000,
    completed: false,
    deviceId: "tv",
    ...over,
  };
}
