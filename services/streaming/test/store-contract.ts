import { randomUUID } from "node:crypto";
import { waitFor } from "@marquee/kit/testing";
import type { TestFn } from "ava";
import type { ProgressWrite } from "../src/history/history-store.js";
import type { IngestJobRecord } from "../src/ingest/job-store.js";
import { readSessionState } from "../src/playback/live-sessions.js";
import { uuidv7 } from "../src/playback/session-id.js";
import type { SessionRecord } from "../src/playback/session-store.js";
import type { StreamingStore } from "../src/store.js";

/** Opens a store on fresh storage. */
export type StoreFactory = () => Promise<StreamingStore>;

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

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

/** An ingest job record for tests, queued and held by replica-a for a minute unless `over` says otherwise. */
export function ingestJob(over: Partial<IngestJobRecord> = {}): IngestJobRecord {
  const now = Date.now();
  return {
    jobId: randomUUID(),
    contentId: randomUUID(),
    episodeId: "",
    source: "/srv/ingest/clip.mp4",
    state: "queued",
    progress: 0,
    stage: "queued",
    error: "",
    renditions: [],
    owner: "replica-a",
    leaseUntil: now + MIN,
    attempts: 1,
    // Whole milliseconds, as Cassandra keeps them.
    createdAt: now,
    ...over,
  };
}

/** The behaviour every StreamingStore adapter must have; each adapter's test file calls this. */
export function streamingStoreContract(test: TestFn, open: StoreFactory): void {
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
    let cursor: Parameters<StreamingStore["listHistory"]>[2];
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

  test("ingest jobs are read back as saved, and only their holder can update them", async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const job = ingestJob();
    await store.createIngestJob(job);
    t.deepEqual(await store.getIngestJob(job.jobId), job);
    await t.throwsAsync(store.createIngestJob({ ...job, owner: "replica-b" }), { message: /exists/ });
    const running = {
      ...job,
      state: "succeeded" as const,
      progress: 1,
      stage: "done",
      renditions: [{ id: "240p", height: 240, width: 426, bitrateBps: 300_000 }],
      leaseUntil: job.leaseUntil + MIN,
    };
    t.true(await store.updateIngestJob(running));
    t.deepEqual(await store.getIngestJob(job.jobId), running);
    t.false(await store.updateIngestJob({ ...running, owner: "replica-b", stage: "stolen" }));
    t.is((await store.getIngestJob(job.jobId))?.stage, "done");
    t.is(await store.getIngestJob(randomUUID()), undefined);
  });

  test("a lapsed ingest job goes to exactly one of parallel claimers; a held or finished one to none", async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const now = Date.now();
    const lapsed = ingestJob({ state: "running", leaseUntil: now - 1_000 });
    const held = ingestJob({ leaseUntil: now + MIN });
    const finished = ingestJob({ state: "failed", leaseUntil: now - 1_000 });
    for (const job of [lapsed, held, finished]) await store.createIngestJob(job);
    const claims = await Promise.all(
      ["b", "c", "d", "e"].map((r) => store.claimIngestJob(lapsed.jobId, `replica-${r}`, now + MIN, now)),
    );
    const won = claims.filter((c) => c !== undefined);
    t.is(won.length, 1);
    t.is(won[0]?.attempts, 2);
    t.is((await store.getIngestJob(lapsed.jobId))?.owner, won[0]?.owner);
    t.is(await store.claimIngestJob(lapsed.jobId, "replica-f", now + MIN, now), undefined, "now held");
    t.is(await store.claimIngestJob(held.jobId, "replica-b", now + MIN, now), undefined);
    t.is(await store.claimIngestJob(finished.jobId, "replica-b", now + MIN, now), undefined);
    t.is(await store.claimIngestJob(randomUUID(), "replica-b", now + MIN, now), undefined);
    // The previous holder can no longer write it.
    t.false(await store.updateIngestJob({ ...lapsed, stage: "late" }));
  });

  test("unfinished ingest jobs are listed, finished ones are not", async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const queued = ingestJob();
    const running = ingestJob({ state: "running" });
    const done = ingestJob({ state: "succeeded" });
    for (const job of [queued, running, done]) await store.createIngestJob(job);
    const listed = new Set((await store.listUnfinishedIngestJobs()).map((j) => j.jobId));
    t.true(listed.has(queued.jobId));
    t.true(listed.has(running.jobId));
    t.false(listed.has(done.jobId));
  });
}
