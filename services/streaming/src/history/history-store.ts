/** The history slice's storage port: what each profile watched (resume positions and history). */

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

export interface HistoryStore {
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
}
