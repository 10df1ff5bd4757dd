import { EmbeddedAdapter } from "../embedded-shared.js";
import {
  INGEST_JOB_TTL_MS,
  type IngestJobRecord,
  type IngestTracks,
  type JobStore,
  NO_TRACKS,
} from "./job-store.js";

/** A job as saved: those saved before ingest took tracks have none. */
type Saved = Omit<IngestJobRecord, "tracks"> & { tracks?: IngestTracks };

const unfinished = (job: IngestJobRecord) => job.state === "queued" || job.state === "running";

/**
 * Ingest jobs on classic-level (keys `job!<job>`), with the Cassandra
 * adapter's semantics: creation, updates and claims run one at a time through
 * the store's write queue, and a job is forgotten INGEST_JOB_TTL_MS after its
 * creation.
 */
export class EmbeddedJobStore extends EmbeddedAdapter implements JobStore {
  createIngestJob(job: IngestJobRecord): Promise<void> {
    return this.serial(async () => {
      const key = `job!${job.jobId}`;
      if ((await this.get<IngestJobRecord>(key)) !== undefined)
        throw new Error(`ingest job ${job.jobId} exists`);
      await this.db.put(key, JSON.stringify(job));
    });
  }

  updateIngestJob(job: IngestJobRecord): Promise<boolean> {
    return this.serial(async () => {
      const current = await this.getIngestJob(job.jobId);
      if (current?.owner !== job.owner) return false;
      await this.db.put(`job!${job.jobId}`, JSON.stringify({ ...job, createdAt: current.createdAt }));
      return true;
    });
  }

  claimIngestJob(jobId: string, owner: string, leaseUntil: number, nowMs: number) {
    return this.serial(async () => {
      const current = await this.getIngestJob(jobId);
      if (current === undefined || !unfinished(current) || current.leaseUntil >= nowMs) return undefined;
      const taken = { ...current, owner, leaseUntil, attempts: current.attempts + 1 };
      await this.db.put(`job!${jobId}`, JSON.stringify(taken));
      return taken;
    });
  }

  async getIngestJob(jobId: string): Promise<IngestJobRecord | undefined> {
    const job = await this.get<Saved>(`job!${jobId}`);
    return job === undefined || job.createdAt + INGEST_JOB_TTL_MS <= Date.now()
      ? undefined
      : { ...job, tracks: job.tracks ?? NO_TRACKS };
  }

  async listUnfinishedIngestJobs(): Promise<IngestJobRecord[]> {
    const expired = Date.now() - INGEST_JOB_TTL_MS;
    return (await this.prefix<Saved>("job!"))
      .map(([, job]) => ({ ...job, tracks: job.tracks ?? NO_TRACKS }))
      .filter((job) => unfinished(job) && job.createdAt > expired);
  }
}
