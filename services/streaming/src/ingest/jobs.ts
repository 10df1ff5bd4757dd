import { randomUUID } from "node:crypto";
import { EventEmitter, on } from "node:events";
import type { Logger } from "pino";
import type { Rung } from "./ladder.js";

export type JobState = "queued" | "running" | "succeeded" | "failed";

export interface JobSnapshot {
  jobId: string;
  contentId: string;
  episodeId: string;
  state: JobState;
  progress: number;
  stage: string;
  error: string;
  renditions: Rung[];
}

/** Runs one job: reports progress, resolves with the renditions made. */
export type JobRunner = (
  job: JobSnapshot,
  source: string,
  onProgress: (fraction: number, stage: string) => void,
) => Promise<Rung[]>;

const FINISHED: JobState[] = ["succeeded", "failed"];
const KEEP_FINISHED = 200;

/**
 * Ingest jobs of this process, run one at a time (transcoding takes every
 * core), with their progress observable while they run. Jobs live in memory:
 * a restart forgets them, and an interrupted one left nothing published.
 */
export class IngestJobs {
  readonly #jobs = new Map<string, JobSnapshot>();
  readonly #changes = new EventEmitter();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly run: JobRunner,
    private readonly log: Logger,
  ) {
    this.#changes.setMaxListeners(0);
  }

  #update(job: JobSnapshot, change: Partial<JobSnapshot>): void {
    Object.assign(job, change);
    this.#changes.emit(job.jobId, { ...job });
  }

  start(contentId: string, episodeId: string, source: string): JobSnapshot {
    const job: JobSnapshot = {
      jobId: randomUUID(),
      contentId,
      episodeId,
      state: "queued",
      progress: 0,
      stage: "queued",
      error: "",
      renditions: [],
    };
    this.#jobs.set(job.jobId, job);
    this.#prune();
    this.#queue = this.#queue.then(async () => {
      this.#update(job, { state: "running", stage: "starting" });
      try {
        const renditions = await this.run({ ...job }, source, (progress, stage) =>
          this.#update(job, { progress, stage }),
        );
        this.#update(job, { state: "succeeded", progress: 1, stage: "done", renditions });
      } catch (err) {
        this.log.warn({ err, jobId: job.jobId }, "ingest failed");
        this.#update(job, { state: "failed", stage: "failed", error: (err as Error).message });
      }
    });
    return { ...job };
  }

  get(jobId: string): JobSnapshot | undefined {
    const job = this.#jobs.get(jobId);
    return job === undefined ? undefined : { ...job };
  }

  /** The job now, then each change, until it finishes or `signal` aborts. */
  async *watch(jobId: string, signal: AbortSignal): AsyncGenerator<JobSnapshot> {
    const job = this.#jobs.get(jobId);
    if (job === undefined) return;
    const changes = on(this.#changes, jobId, { signal });
    yield { ...job };
    if (FINISHED.includes(job.state)) return;
    try {
      for await (const [snapshot] of changes) {
        yield snapshot as JobSnapshot;
        if (FINISHED.includes((snapshot as JobSnapshot).state)) return;
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  }

  /** Waits for every queued job. */
  idle(): Promise<unknown> {
    return this.#queue;
  }

  #prune(): void {
    const finished = [...this.#jobs.values()].filter((j) => FINISHED.includes(j.state));
    for (const j of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED)))
      this.#jobs.delete(j.jobId);
  }
}
