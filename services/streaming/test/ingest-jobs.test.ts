import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Code } from "@connectrpc/connect";
import { createLogger } from "@marquee/kit";
import { waitFor } from "@marquee/kit/testing";
import test from "ava";
import type { IngestJobRecord } from "../src/ingest/job-store.js";
import { IngestJobs, type IngestJobsOptions, type JobRunner, type JobSnapshot } from "../src/ingest/jobs.js";
import type { Rung } from "../src/ingest/ladder.js";
import { EmbeddedStreamingStore } from "../src/store-embedded.js";
import { ingestJob } from "./job-store-contract.js";

const log = createLogger("test", "silent");
const RUNG: Rung = { id: "240p", height: 240, width: 426, bitrateBps: 300_000 };
const LEASE = 30_000;

const dirs: string[] = [];
test.after.always(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function openStore() {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-ingest-jobs-"));
  dirs.push(dir);
  return EmbeddedStreamingStore.open(dir);
}

/** A clock the test moves. */
function clock() {
  let at = Date.now();
  return { now: () => at, advance: (ms: number) => (at += ms) };
}

/** A run that reports through `progress` and finishes when told, or stops when aborted. */
function controlledRun() {
  const runs: Array<{
    job: JobSnapshot;
    source: string;
    signal: AbortSignal;
    progress: (f: number, stage: string) => void;
    finish: (renditions: Rung[]) => void;
  }> = [];
  const run: JobRunner = (job, source, _tracks, progress, signal) =>
    new Promise<Rung[]>((resolve, reject) => {
      signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
      runs.push({ job, source, signal, progress, finish: resolve });
    });
  return { runs, run };
}

function jobs(o: Partial<IngestJobsOptions> & Pick<IngestJobsOptions, "store" | "run">) {
  return new IngestJobs({ log, leaseMs: LEASE, saveEveryMs: 1_000, pollMs: 20, ...o });
}

function lapsedJob(over: Partial<IngestJobRecord> = {}): IngestJobRecord {
  return ingestJob({
    state: "running",
    progress: 0.4,
    stage: "encoding the ladder",
    owner: "a replica that died",
    leaseUntil: Date.now() - 1_000,
    ...over,
  });
}

test("jobs run one at a time, are watched to success, and another replica reads them from the store", async (t) => {
  const store = await openStore();
  t.teardown(() => store.close());
  const a = controlledRun();
  const here = jobs({ store, run: a.run });
  const elsewhere = jobs({ store, run: controlledRun().run });
  const job = await here.start(randomUUID(), "", "/srv/ingest/clip.mp4");
  t.is(job.state, "queued");
  const seen: JobSnapshot[] = [];
  const watching = (async () => {
    for await (const s of here.watch(job.jobId, new AbortController().signal)) seen.push(s);
  })();
  const remote: JobSnapshot[] = [];
  const watchingElsewhere = (async () => {
    for await (const s of elsewhere.watch(job.jobId, new AbortController().signal)) remote.push(s);
  })();
  await waitFor("the run", () => a.runs.length === 1, 5_000);
  t.is(a.runs[0]?.source, "/srv/ingest/clip.mp4");
  // One job runs at a time: the next waits in the queue.
  const next = await here.start(randomUUID(), "", "/srv/ingest/other.mp4");
  t.is((await here.get(next.jobId))?.state, "queued");
  a.runs[0]?.progress(0.5, "encoding the ladder");
  await waitFor("progress seen", () => seen.some((s) => s.progress === 0.5), 5_000);
  t.is(a.runs.length, 1);
  a.runs[0]?.finish([RUNG]);
  await Promise.all([watching, watchingElsewhere]);
  t.is(seen.at(-1)?.state, "succeeded");
  t.deepEqual(seen.at(-1)?.renditions, [RUNG]);
  t.deepEqual(
    seen.map((s) => s.state).filter((s, i, all) => s !== all[i - 1] && s !== "queued"),
    ["running", "succeeded"],
  );
  await waitFor("the next run", () => a.runs.length === 2, 5_000);
  t.is(a.runs[1]?.job.jobId, next.jobId);
  a.runs[1]?.finish([RUNG]);
  await here.idle();
  t.is(remote.at(-1)?.state, "succeeded", "a watcher on another replica sees it finish");
  t.deepEqual((await elsewhere.get(job.jobId))?.renditions, [RUNG]);
});

test("a failing run fails the job with its reason", async (t) => {
  const store = await openStore();
  t.teardown(() => store.close());
  const here = jobs({
    store,
    run: async () => {
      throw new Error("clip.mp4 is not a video ffmpeg can read");
    },
  });
  const job = await here.start(randomUUID(), "", "/srv/ingest/clip.mp4");
  await here.idle();
  const failed = await here.get(job.jobId);
  t.is(failed?.state, "failed");
  t.is(failed?.error, "clip.mp4 is not a video ffmpeg can read");
});

test("a job whose replica died is taken over and run again from the start; a held one is left alone", async (t) => {
  const store = await openStore();
  t.teardown(() => store.close());
  const dead = lapsedJob();
  const live = lapsedJob({ owner: "a live replica", leaseUntil: Date.now() + LEASE });
  await store.createIngestJob(dead);
  await store.createIngestJob(live);
  const b = controlledRun();
  const survivor = jobs({ store, run: b.run });
  t.is(await survivor.recover(), 1);
  await waitFor("the rerun", () => b.runs.length === 1, 5_000);
  t.is(b.runs[0]?.job.jobId, dead.jobId);
  t.is(b.runs[0]?.job.progress, 0, "from the start");
  b.runs[0]?.finish([RUNG]);
  await survivor.idle();
  const done = await store.getIngestJob(dead.jobId);
  t.is(done?.state, "succeeded");
  t.is(done?.owner, survivor.owner);
  t.is(done?.attempts, 2);
  t.is((await store.getIngestJob(live.jobId))?.owner, "a live replica");
});

test("a job lost to another replica stops running where it was", async (t) => {
  const store = await openStore();
  t.teardown(() => store.close());
  const time = clock();
  const a = controlledRun();
  const slow = jobs({ store, run: a.run, now: time.now });
  const job = await slow.start(randomUUID(), "", "/srv/ingest/clip.mp4");
  await waitFor("the run", () => a.runs.length === 1, 5_000);
  // The first replica stalls past its lease; another takes the job over.
  time.advance(LEASE + 1_000);
  const b = controlledRun();
  const other = jobs({ store, run: b.run, now: time.now });
  t.is(await other.recover(), 1);
  // The stalled replica's next save is refused, and its run is stopped.
  a.runs[0]?.progress(0.7, "encoding the ladder");
  await waitFor("the stalled run stopped", () => a.runs[0]?.signal.aborted === true, 5_000);
  await waitFor("the other run", () => b.runs.length === 1, 5_000);
  b.runs[0]?.finish([RUNG]);
  await Promise.all([slow.idle(), other.idle()]);
  const done = await store.getIngestJob(job.jobId);
  t.is(done?.state, "succeeded");
  t.is(done?.owner, other.owner);
});

test("a job that keeps stopping its replica is failed instead of run again", async (t) => {
  const store = await openStore();
  t.teardown(() => store.close());
  const poison = lapsedJob({ attempts: 3 });
  await store.createIngestJob(poison);
  const b = controlledRun();
  const survivor = jobs({ store, run: b.run, maxAttempts: 3 });
  await survivor.recover();
  const failed = await store.getIngestJob(poison.jobId);
  t.is(failed?.state, "failed");
  t.regex(failed?.error ?? "", /gave up after 3 starts/);
  t.is(b.runs.length, 0);
});

test("shutting down stops the run and hands the job over at once", async (t) => {
  const store = await openStore();
  t.teardown(() => store.close());
  const a = controlledRun();
  const leaving = jobs({ store, run: a.run });
  const job = await leaving.start(randomUUID(), "", "/srv/ingest/clip.mp4");
  await waitFor("the run", () => a.runs.length === 1, 5_000);
  await leaving.close();
  t.true(a.runs[0]?.signal.aborted);
  const handed = await store.getIngestJob(job.jobId);
  t.is(handed?.state, "queued");
  const b = controlledRun();
  const next = jobs({ store, run: b.run });
  t.is(await next.recover(), 1, "no lease to wait out");
  await waitFor("the run elsewhere", () => b.runs.length === 1, 5_000);
  b.runs[0]?.finish([RUNG]);
  await next.idle();
  t.is((await store.getIngestJob(job.jobId))?.state, "succeeded");
});

test("after shutdown begins nothing starts: a queued job stays queued, StartIngest and watchers get Unavailable", async (t) => {
  const store = await openStore();
  t.teardown(() => store.close());
  const a = controlledRun();
  const leaving = jobs({ store, run: a.run });
  const running = await leaving.start(randomUUID(), "", "/srv/ingest/first.mp4");
  const queued = await leaving.start(randomUUID(), "", "/srv/ingest/second.mp4");
  await waitFor("the first run", () => a.runs.length === 1, 5_000);
  const watched = (async () => {
    for await (const _ of leaving.watch(queued.jobId, new AbortController().signal));
  })();
  await leaving.close();
  t.is(a.runs.length, 1, "the queued job did not start");
  await t.throwsAsync(watched, { code: Code.Unavailable } as never, "its watcher is told to look elsewhere");
  await t.throwsAsync(leaving.start(randomUUID(), "", "/srv/ingest/third.mp4"), {
    code: Code.Unavailable,
  } as never);
  await store.createIngestJob(lapsedJob());
  t.is(await leaving.recover(), 0, "a closed replica takes nothing over");
  t.is(a.runs.length, 1);

  // Both are left for the next start, without a start counted against them.
  for (const id of [running.jobId, queued.jobId]) {
    const job = await store.getIngestJob(id);
    t.like(job, { state: "queued", leaseUntil: 0, attempts: 0 });
  }
  const b = controlledRun();
  const next = jobs({ store, run: b.run, maxAttempts: 1 });
  t.is(await next.recover(), 3);
  await waitFor("the first job run again", () => b.runs.length === 1, 5_000);
});
