import type { Rung } from "./ingest/ladder.js";

/**
 * The streaming service's storage port: playback sessions with their stream
 * slots, what each profile watched (resume positions and history), and ingest
 * jobs. Adapters: store-cassandra.ts (real) and store-embedded.ts (classic-level).
 */

/** An open playback session. */
export interface SessionRecord {
  sessionId: string;
  userId: string;
  profileId: string;
  contentId: string;
  /** Empty for a movie. */
  episodeId: string;
  deviceId: string;
  assetId: string;
  durationMs: number;
  /** Height cap of the plan when the session opened (0: none). */
  maxHeight: number;
  /** Concurrent streams the plan allowed when the session opened. */
  maxStreams: number;
  /** The account's stream slot the session holds. */
  slot: number;
  startTime: Date;
  /** ISO country of the viewer, when known. */
  country: string;
  /** True once stopped. */
  ended: boolean;
}

/** One accepted reading of a session, already judged worth saving. */
export interface ProgressWrite {
  profileId: string;
  contentId: string;
  episodeId: string;
  sessionId: string;
  /** Session start: the history entry's time. */
  watchedAt: Date;
  /** When the player took the reading: the write's timestamp (newer wins). */
  eventTime: Date;
  positionMs: number;
  durationMs: number;
  completed: boolean;
  deviceId: string;
}

/** Where a profile stopped in a title. */
export interface ProgressRecord {
  contentId: string;
  episodeId: string;
  positionMs: number;
  durationMs: number;
  completed: boolean;
  deviceId: string;
  updateTime: Date;
}

/** One viewing of a title (one session). */
export interface HistoryRecord {
  contentId: string;
  episodeId: string;
  sessionId: string;
  watchedAt: Date;
  positionMs: number;
  durationMs: number;
  completed: boolean;
}

/** Where a history page ends: the last entry returned. */
export interface HistoryCursor {
  watchedAtMs: number;
  contentId: string;
}

export interface HistoryPage {
  entries: HistoryRecord[];
  /** Set when more entries may follow. */
  next?: HistoryCursor;
}

export type IngestJobState = "queued" | "running" | "succeeded" | "failed";

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

export interface StreamingStore {
  /**
   * Takes a free stream slot of the account for the session, atomically: of
   * parallel callers at most `maxStreams` hold a slot at once. A slot not
   * renewed within `leaseMs` frees itself. Returns the slot, or undefined when
   * every slot is taken.
   */
  reserveSlot(
    userId: string,
    sessionId: string,
    maxStreams: number,
    leaseMs: number,
  ): Promise<number | undefined>;
  /** Extends the session's lease on its slot; false when the slot lapsed or went to another session. */
  renewSlot(userId: string, slot: number, sessionId: string, leaseMs: number): Promise<boolean>;
  /** Frees the slot if the session still holds it. */
  releaseSlot(userId: string, slot: number, sessionId: string): Promise<void>;
  /** Number of slots of the account held now. */
  countSlots(userId: string): Promise<number>;
  /** The session holding the account's slot now (its lease not lapsed), or undefined when it is free. */
  slotHolder(userId: string, slot: number): Promise<string | undefined>;

  /** Saves (or replaces) a session; it is forgotten after `ttlMs`. */
  putSession(session: SessionRecord, ttlMs: number): Promise<void>;
  getSession(sessionId: string): Promise<SessionRecord | undefined>;

  /**
   * Records a reading into the title's progress and the session's history
   * entry. Each is replaced only by a reading with a newer (or equal) event
   * time, so replayed or reordered readings never move them backwards, and a
   * reading older than a removal or erasure of the same data is dropped.
   */
  recordProgress(write: ProgressWrite): Promise<void>;
  getProgress(profileId: string, contentId: string): Promise<ProgressRecord | undefined>;
  /** Every title the profile has progress on, in no particular order. */
  listProgress(profileId: string): Promise<ProgressRecord[]>;
  /** History newest first, from after `cursor`, looking back `months` month buckets from `nowMs`. */
  listHistory(
    profileId: string,
    limit: number,
    cursor: HistoryCursor | undefined,
    nowMs: number,
    months: number,
  ): Promise<HistoryPage>;
  /** Forgets a title for the profile (progress and history), as of `at`. */
  removeTitle(profileId: string, contentId: string, at: Date, months: number): Promise<void>;
  /** Forgets everything the profile watched, as of `at`. */
  eraseProfile(profileId: string, at: Date, months: number): Promise<void>;

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

  close(): Promise<void>;
}
