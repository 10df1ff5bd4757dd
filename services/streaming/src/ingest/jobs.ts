import { randomUUID } from "node:crypto";
import { EventEmitter, once } from "node:events";
import { setTimeout as delay } from "node:timers/promises";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "pino";
import {
  type IngestJobRecord,
  type IngestJobState,
  type IngestTracks,
  type JobStore,
  NO_TRACKS,
} from "./job-store.js";
import type { Rung } from "./ladder.js";

export type JobState = IngestJobState;

/** What callers see of a job. */
export type JobSnapshot = Pick<
  IngestJobRecord,
  "jobId" | "contentId" | "episodeId" | "state" | "progress" | "stage" | "error" | "renditions"
>;

/** Runs one job: reports progress, resolves with the renditions made, stops when `signal` aborts. */
export type JobRunner = (
  job: JobSnapshot,
  source: string,
  tracks: IngestTracks,
  onProgress: (fraction: number, stage: string) => void,
  signal: AbortSignal,
) => Promise<Rung[]>;

export interface IngestJobsOptions {
  store: JobStore;
  run: JobRunner;
  log: Logger;
  /** How long a replica holds a job it stopped renewing; then another takes it over (default 30 s). */
  leaseMs?: number;
  /** How often a held job's progress is saved and its lease renewed (default 2 s). */
  saveEveryMs?: number;
  /** How often watchers of a job look at it again when it runs elsewhere (default 1 s). */
  pollMs?: number;
  /** Starts of one job before it is failed: a source that kills every replica must stop somewhere (default 3). */
  maxAttempts?: number;
  now?: () => number;
}

const FINISHED: readonly JobState[] = ["succeeded", "failed"];

const snapshot = (j: IngestJobRecord): JobSnapshot => ({
  jobId: j.jobId,
  contentId: j.contentId,
  episodeId: j.episodeId,
  state: j.state,
  progress: j.progress,
  stage: j.stage,
  error: j.error,
  renditions: [...j.renditions],
});

/** A job this replica holds: queued here or running here. */
interface Held {
  job: IngestJobRecord;
  /** Aborts the run when the job is lost to another replica or handed over at shutdown. */
  abort: AbortController;
  savedAt: number;
  saving: Promise<void>;
}

/**
 * Ingest jobs, kept in the store so that any replica can report on them and a
 * job outlives the replica that runs it: each job is held under a lease its
 * replica renews while it waits and runs; when the lease lapses (the replica
 * died) another replica takes the job over and runs it again from the start
 * (an interrupted run published nothing). A replica runs its jobs one at a
 * time (transcoding takes every core); shutting down hands them over at once
 * (the run in progress is stopped, its ffmpeg killed) and starts nothing more.
 */
export class IngestJobs {
  /** This replica's identity as a job holder. */
  readonly owner = randomUUID();
  readonly #o: Required<Omit<IngestJobsOptions, "store" | "run" | "log">> & IngestJobsOptions;
  readonly #held = new Map<string, Held>();
  readonly #changes = new EventEmitter();
  #queue: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #sinceRecovery = 0;
  #closed = false;

  constructor(o: IngestJobsOptions) {
    this.#o = { leaseMs: 30_000, saveEveryMs: 2_000, pollMs: 1_000, maxAttempts: 3, now: Date.now, ...o };
    this.#changes.setMaxListeners(0);
  }

  /** Takes over lapsed jobs now, then keeps renewing this replica's leases and looking for lapsed jobs. */
  async open(): Promise<void> {
    await this.recover();
    const tick = Math.min(this.#o.saveEveryMs, this.#o.leaseMs / 3);
    this.#timer = setInterval(() => void this.#tick(tick), tick);
    this.#timer.unref();
  }

  async start(
    contentId: string,
    episodeId: string,
    source: string,
    tracks: IngestTracks = NO_TRACKS,
  ): Promise<JobSnapshot> {
    this.#refuseWhenClosed();
    const now = this.#o.now();
    const job: IngestJobRecord = {
      jobId: randomUUID(),
      contentId,
      episodeId,
      source,
      tracks,
      state: "queued",
      progress: 0,
      stage: "queued",
      error: "",
      renditions: [],
      owner: this.owner,
      leaseUntil: now + this.#o.leaseMs,
      attempts: 1,
      createdAt: now,
    };
    await this.#o.store.createIngestJob(job);
    if (this.#closed) {
      // Closed while saving: leave it to the next replica or start, as close() leaves the others.
      await this.#o.store.updateIngestJob({ ...job, leaseUntil: 0, attempts: 0 });
      this.#refuseWhenClosed();
    }
    this.#hold(job);
    return snapshot(job);
  }

  /** Takes over every unfinished job whose lease lapsed; returns how many it took. */
  async recover(): Promise<number> {
    const now = this.#o.now();
    let taken = 0;
    for (const job of await this.#o.store.listUnfinishedIngestJobs()) {
      if (this.#closed) break;
      if (job.leaseUntil >= now || this.#held.has(job.jobId)) continue;
      const claimed = await this.#o.store.claimIngestJob(job.jobId, this.owner, now + this.#o.leaseMs, now);
      if (claimed === undefined) continue;
      if (this.#closed) {
        await this.#o.store.updateIngestJob({ ...claimed, leaseUntil: 0, attempts: claimed.attempts - 1 });
        break;
      }
      taken++;
      if (claimed.attempts > this.#o.maxAttempts) {
        const error = `gave up after ${claimed.attempts - 1} starts: each time the replica running it stopped before it finished`;
        this.#o.log.warn({ jobId: claimed.jobId }, "ingest job failed: it kept stopping its replica");
        await this.#o.store.updateIngestJob({ ...claimed, state: "failed", stage: "failed", error });
        continue;
      }
      this.#o.log.info(
        { jobId: claimed.jobId, attempt: claimed.attempts },
        "ingest job taken over from a replica that stopped",
      );
      await this.#save(
        this.#hold({ ...claimed, state: "queued", progress: 0, stage: "queued again: its replica stopped" }),
      );
    }
    return taken;
  }

  async get(jobId: string): Promise<JobSnapshot | undefined> {
    const held = this.#held.get(jobId);
    if (held !== undefined) return snapshot(held.job);
    const job = await this.#o.store.getIngestJob(jobId);
    return job === undefined ? undefined : snapshot(job);
  }

  /**
   * The job now, then each change, until it finishes or `signal` aborts; a job
   * run elsewhere is polled. Ends with Unavailable when this replica closes
   * (the job goes on elsewhere or at the next start: watch it again there).
   */
  async *watch(jobId: string, signal: AbortSignal): AsyncGenerator<JobSnapshot> {
    let last = "";
    while (!signal.aborted) {
      this.#refuseWhenClosed();
      const job = await this.get(jobId);
      if (job === undefined) return;
      const seen = JSON.stringify(job);
      if (seen !== last) {
        last = seen;
        yield job;
      }
      if (FINISHED.includes(job.state)) return;
      // A change here wakes the watcher at once; the poll covers changes made elsewhere or missed.
      const wake = new AbortController();
      const stop = () => wake.abort();
      signal.addEventListener("abort", stop, { once: true });
      await Promise.race([
        once(this.#changes, jobId, { signal: wake.signal }),
        delay(this.#o.pollMs, undefined, { signal: wake.signal }),
      ]).catch(() => {});
      wake.abort();
      signal.removeEventListener("abort", stop);
    }
  }

  /** Waits for every job queued here. */
  idle(): Promise<unknown> {
    return this.#queue;
  }

  /**
   * Stops running (the run in progress is aborted) and hands every held job
   * over: another replica, or this one's next start, runs it from the start.
   * A handover is not counted as a start that failed (maxAttempts). Nothing
   * starts here afterwards: start() and watch() answer Unavailable.
   */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    const held = [...this.#held.values()];
    for (const h of held) h.abort.abort();
    for (const h of held) this.#changes.emit(h.job.jobId);
    await Promise.allSettled(
      held.map(async (h) => {
        await h.saving;
        Object.assign(h.job, {
          state: "queued",
          progress: 0,
          stage: "queued again: its replica shut down",
          attempts: Math.max(0, h.job.attempts - 1),
        });
        await this.#o.store.updateIngestJob({ ...h.job, leaseUntil: 0 });
      }),
    );
    await this.#queue;
  }

  #refuseWhenClosed(): void {
    if (this.#closed)
      throw new ConnectError("this replica is shutting down: ask another one, or again", Code.Unavailable);
  }

  #hold(job: IngestJobRecord): Held {
    const held: Held = {
      job,
      abort: new AbortController(),
      savedAt: this.#o.now(),
      saving: Promise.resolve(),
    };
    this.#held.set(job.jobId, held);
    this.#queue = this.#queue.then(() => this.#run(held));
    return held;
  }

  async #run(held: Held): Promise<void> {
    const { signal } = held.abort;
    if (signal.aborted) return;
    try {
      await this.#change(held, { state: "running", stage: "starting" }, true);
      if (signal.aborted) return;
      const renditions = await this.#o.run(
        snapshot(held.job),
        held.job.source,
        held.job.tracks,
        (progress, stage) => void this.#change(held, { progress, stage }, false),
        signal,
      );
      if (signal.aborted) return;
      await this.#change(held, { state: "succeeded", progress: 1, stage: "done", renditions }, true);
    } catch (err) {
      if (signal.aborted) return;
      this.#o.log.warn({ err, jobId: held.job.jobId }, "ingest failed");
      await this.#change(held, { state: "failed", stage: "failed", error: (err as Error).message }, true);
    } finally {
      if (!signal.aborted) this.#held.delete(held.job.jobId);
    }
  }

  /** Applies a change, tells watchers, and saves it (always for a new state, else at most every saveEveryMs). */
  #change(held: Held, change: Partial<IngestJobRecord>, force: boolean): Promise<void> {
    Object.assign(held.job, change);
    this.#changes.emit(held.job.jobId);
    if (!force && this.#o.now() - held.savedAt < this.#o.saveEveryMs) return held.saving;
    return this.#save(held);
  }

  /** Saves the job and renews its lease; a refused save means another replica holds it now. */
  #save(held: Held): Promise<void> {
    held.savedAt = this.#o.now();
    held.saving = held.saving.then(async () => {
      if (held.abort.signal.aborted) return;
      held.job.leaseUntil = this.#o.now() + this.#o.leaseMs;
      try {
        if (!(await this.#o.store.updateIngestJob({ ...held.job }))) {
          this.#o.log.warn({ jobId: held.job.jobId }, "ingest job lost to another replica; stopping here");
          held.abort.abort();
          this.#held.delete(held.job.jobId);
        }
      } catch (err) {
        // The store is unreachable: keep going; the next save renews the lease if it comes back in time.
        this.#o.log.warn({ err, jobId: held.job.jobId }, "could not save ingest job");
      }
    });
    return held.saving;
  }

  async #tick(everyMs: number): Promise<void> {
    const now = this.#o.now();
    for (const held of this.#held.values()) {
      if (now - held.savedAt >= this.#o.saveEveryMs) void this.#save(held);
    }
    this.#sinceRecovery += everyMs;
    if (this.#sinceRecovery < this.#o.leaseMs / 2) return;
    this.#sinceRecovery = 0;
    await this.recover().catch((err: unknown) =>
      this.#o.log.warn({ err }, "could not look for ingest jobs to take over"),
    );
  }
}
