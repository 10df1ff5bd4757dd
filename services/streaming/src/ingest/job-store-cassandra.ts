import type { types } from "cassandra-driver";
import { CassandraAdapter, num, str, withContentionRetry } from "../cassandra-shared.js";
import {
  type IngestJobRecord,
  type IngestJobState,
  type IngestTracks,
  type JobStore,
  NO_TRACKS,
} from "./job-store.js";
import type { Rung } from "./ladder.js";

// Every write of a job is conditional (Paxos): plain and conditional writes must not mix on a row.
const Q = {
  createJob: `INSERT INTO ingest_jobs (bucket, job_id, content_id, episode_id, source, tracks, state, progress, stage,
    error, renditions, owner, lease_until, attempts, created_at) VALUES (0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    IF NOT EXISTS`,
  updateJob: `UPDATE ingest_jobs SET state = ?, progress = ?, stage = ?, error = ?, renditions = ?, lease_until = ?
    WHERE bucket = 0 AND job_id = ? IF owner = ?`,
  claimJob: `UPDATE ingest_jobs SET owner = ?, lease_until = ?, attempts = ? WHERE bucket = 0 AND job_id = ?
    IF lease_until < ? AND state IN ('queued', 'running') AND attempts = ?`,
  getJob: "SELECT * FROM ingest_jobs WHERE bucket = 0 AND job_id = ?",
  listJobs: "SELECT * FROM ingest_jobs WHERE bucket = 0",
} as const;

/**
 * Ingest jobs on Cassandra (table ingest_jobs of marquee_streaming, one
 * partition). Creation, updates and claims are lightweight transactions, so
 * only the lease holder writes a job and of parallel claimers one wins.
 */
export class CassandraJobStore extends CassandraAdapter implements JobStore {
  async createIngestJob(job: IngestJobRecord) {
    const rs = await withContentionRetry(() =>
      this.exec(Q.createJob, [
        job.jobId,
        job.contentId,
        job.episodeId,
        job.source,
        JSON.stringify(job.tracks),
        job.state,
        job.progress,
        job.stage,
        job.error,
        JSON.stringify(job.renditions),
        job.owner,
        new Date(job.leaseUntil),
        job.attempts,
        new Date(job.createdAt),
      ]),
    );
    // Not applied but ours: a retry after a timed-out attempt that did apply.
    if (!rs.wasApplied() && rs.first()?.owner !== job.owner)
      throw new Error(`ingest job ${job.jobId} exists`);
  }

  async updateIngestJob(job: IngestJobRecord) {
    const rs = await withContentionRetry(() =>
      this.exec(Q.updateJob, [
        job.state,
        job.progress,
        job.stage,
        job.error,
        JSON.stringify(job.renditions),
        new Date(job.leaseUntil),
        job.jobId,
        job.owner,
      ]),
    );
    return rs.wasApplied();
  }

  async claimIngestJob(jobId: string, owner: string, leaseUntil: number, nowMs: number) {
    const current = await this.getIngestJob(jobId);
    if (current === undefined) return undefined;
    // attempts in the condition: a claim decided on a stale read loses instead of counting wrong.
    const rs = await withContentionRetry(() =>
      this.exec(Q.claimJob, [
        owner,
        new Date(leaseUntil),
        current.attempts + 1,
        jobId,
        new Date(nowMs),
        current.attempts,
      ]),
    );
    return rs.wasApplied() ? { ...current, owner, leaseUntil, attempts: current.attempts + 1 } : undefined;
  }

  async getIngestJob(jobId: string) {
    const row = (await this.exec(Q.getJob, [jobId])).first();
    return row ? toJob(row) : undefined;
  }

  async listUnfinishedIngestJobs() {
    const rows = (await this.exec(Q.listJobs, [])).rows.map(toJob);
    return rows.filter((j) => j.state === "queued" || j.state === "running");
  }
}

function toJob(row: types.Row): IngestJobRecord {
  return {
    jobId: str(row.job_id),
    contentId: str(row.content_id),
    episodeId: str(row.episode_id),
    source: str(row.source),
    // Null in rows written before ingest took tracks.
    tracks: row.tracks ? (JSON.parse(str(row.tracks)) as IngestTracks) : NO_TRACKS,
    state: str(row.state) as IngestJobState,
    progress: num(row.progress),
    stage: str(row.stage),
    error: str(row.error),
    renditions: JSON.parse(str(row.renditions) || "[]") as Rung[],
    owner: str(row.owner),
    leaseUntil: (row.lease_until as Date | null)?.getTime() ?? 0,
    attempts: num(row.attempts),
    createdAt: (row.created_at as Date | null)?.getTime() ?? 0,
  };
}
