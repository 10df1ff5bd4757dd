import { randomUUID } from "node:crypto";
import type { TestFn } from "ava";
import { type IngestJobRecord, type JobStore, NO_TRACKS } from "../src/ingest/job-store.js";
import type { StoreFactory } from "./store-factory.js";

const MIN = 60_000;

/** An ingest job record for tests, queued and held by replica-a for a minute unless `over` says otherwise. */
export function ingestJob(over: Partial<IngestJobRecord> = {}): IngestJobRecord {
  const now = Date.now();
  return {
    jobId: randomUUID(),
    contentId: randomUUID(),
    episodeId: "",
    source: "/srv/ingest/clip.mp4",
    tracks: NO_TRACKS,
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

/** The behaviour every JobStore adapter must have; each adapter's test file calls this. */
export function jobStoreContract(test: TestFn, open: StoreFactory<JobStore>): void {
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

  test("an ingest job's audio languages and subtitle files are read back as saved", async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const job = ingestJob({
      tracks: {
        audioLanguage: "en",
        audio: [
          { file: "/srv/ingest/fr.m4a", stream: 0, language: "fr", role: "dub" },
          { stream: 1, language: "de", role: "dub" },
        ],
        text: [{ file: "/srv/ingest/en.srt", language: "en", kind: "captions" }],
      },
    });
    await store.createIngestJob(job);
    t.deepEqual(await store.getIngestJob(job.jobId), job);
    t.deepEqual(
      (await store.listUnfinishedIngestJobs()).find((j) => j.jobId === job.jobId)?.tracks,
      job.tracks,
    );
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
