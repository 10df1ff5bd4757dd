import type { Rung } from "./ladder.js";
import type { AudioTrackInput, TextTrackInput } from "./tracks.js";

/** The ingest slice's storage port: jobs every replica sees. */

export type IngestJobState = "queued" | "running" | "succeeded" | "failed";

/** What a job ingests besides the source's video and first audio stream (file paths absolute, like `source`). */
export interface IngestTracks {
  /** Language of the source's first audio stream; "" when not told. */
  audioLanguage: string;
  audio: AudioTrackInput[];
  text: TextTrackInput[];
}

export const NO_TRACKS: IngestTracks = { audioLanguage: "", audio: [], text: [] };

/**
 * An ingest job as every replica sees it. Only the replica holding its lease
 * runs and updates it; once the lease lapses (that replica died) another one
 * may take it over and run it again from the start.
 */
export interface IngestJobRecord {
  jobId: string;
  contentId: string;
  /** Empty for a movie. */
  episodeId: string;
  /** Absolute path of the source in the ingest directory the replicas share. */
  source: string;
  tracks: IngestTracks;
  state: IngestJobState;
  /** 0 to 1. */
  progress: number;
  stage: string;
  /** Why it failed, when it did. */
  error: string;
  /** The renditions made, once it succeeded. */
  renditions: Rung[];
  /** The replica that holds the job. */
  owner: string;
  /** Epoch ms until which the owner holds it. */
  leaseUntil: number;
  /** How many times a replica started it. */
  attempts: number;
  /** Epoch ms. */
  createdAt: number;
}

/** How long ingest jobs are remembered. */
export const INGEST_JOB_TTL_MS = 30 * 24 * 3600_000;

export interface JobStore {
  /** Saves a new job (its id is fresh); it is forgotten after INGEST_JOB_TTL_MS. */
  createIngestJob(job: IngestJobRecord): Promise<void>;
  /** Saves the job's state, progress and lease if `job.owner` still holds it; false when it does not. */
  updateIngestJob(job: IngestJobRecord): Promise<boolean>;
  /**
   * Takes an unfinished job whose lease lapsed before `nowMs` for `owner`
   * until `leaseUntil`, atomically: of parallel callers at most one wins.
   * Returns the job as taken (attempts counted), or undefined.
   */
  claimIngestJob(
    jobId: string,
    owner: string,
    leaseUntil: number,
    nowMs: number,
  ): Promise<IngestJobRecord | undefined>;
  getIngestJob(jobId: string): Promise<IngestJobRecord | undefined>;
  /** Jobs queued or running, in no particular order. */
  listUnfinishedIngestJobs(): Promise<IngestJobRecord[]>;
}
