import { mkdirSync } from "node:fs";
import { ClassicLevel } from "classic-level";
import type {
  HistoryCursor,
  HistoryPage,
  HistoryRecord,
  ProgressRecord,
  ProgressWrite,
} from "./history/history-store.js";
import { pageByMonth } from "./history/month-pager.js";
import { monthOf } from "./history/rules.js";
import { INGEST_JOB_TTL_MS, type IngestJobRecord } from "./ingest/job-store.js";
import type { SessionRecord } from "./playback/session-store.js";
import type { StreamingStore } from "./store.js";

/** A stored row with the timestamp of the write that produced it; a tombstone has no data. */
interface Versioned<T> {
  ts: number;
  row?: T;
}

interface SlotRow {
  sessionId: string;
  until: number;
}

type StoredProgress = Omit<ProgressRecord, "updateTime"> & { updateTime: number };
type StoredHistory = Omit<HistoryRecord, "watchedAt"> & { watchedAt: number; month: number };
type StoredSession = Omit<SessionRecord, "startTime"> & { startTime: number; expires: number };

const unfinished = (job: IngestJobRecord) => job.state === "queued" || job.state === "running";
const pad = (n: number) => n.toString().padStart(15, "0");

/**
 * The embedded adapter on classic-level, with the Cassandra adapter's
 * semantics: every row remembers the event time of the write that made it and
 * only a newer (or equal) one replaces it; removals leave tombstones, so older
 * readings arriving afterwards are dropped. Slot reservations run one at a
 * time (one process owns the directory).
 */
export class EmbeddedStreamingStore implements StreamingStore {
  readonly #db: ClassicLevel<string, string>;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(db: ClassicLevel<string, string>) {
    this.#db = db;
  }

  static async open(dir: string): Promise<EmbeddedStreamingStore> {
    mkdirSync(dir, { recursive: true });
    const db = new ClassicLevel<string, string>(dir);
    await db.open();
    return new EmbeddedStreamingStore(db);
  }

  /** Runs read-then-write steps one at a time, as Cassandra's conditional writes would. */
  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work);
    this.#queue = run.catch(() => {});
    return run;
  }

  async #get<T>(key: string): Promise<T | undefined> {
    const value = await this.#db.get(key);
    return value === undefined ? undefined : (JSON.parse(value) as T);
  }

  async #prefix<T>(prefix: string, reverse = false): Promise<Array<[string, T]>> {
    const entries = await this.#db.iterator({ gt: prefix, lt: `${prefix}~`, reverse }).all();
    return entries.map(([k, v]) => [k, JSON.parse(v) as T]);
  }

  reserveSlot(userId: string, sessionId: string, maxStreams: number, leaseMs: number) {
    return this.#serial(async () => {
      const now = Date.now();
      for (let slot = 0; slot < maxStreams; slot++) {
        const key = `slot!${userId}!${slot}`;
        const held = await this.#get<SlotRow>(key);
        if (held === undefined || held.until <= now || held.sessionId === sessionId) {
          await this.#db.put(key, JSON.stringify({ sessionId, until: now + leaseMs }));
          return slot;
        }
      }
      return undefined;
    });
  }

  renewSlot(userId: string, slot: number, sessionId: string, leaseMs: number) {
    return this.#serial(async () => {
      const key = `slot!${userId}!${slot}`;
      const held = await this.#get<SlotRow>(key);
      const now = Date.now();
      if (held === undefined || held.until <= now || held.sessionId !== sessionId) return false;
      await this.#db.put(key, JSON.stringify({ sessionId, until: now + leaseMs }));
      return true;
    });
  }

  releaseSlot(userId: string, slot: number, sessionId: string) {
    return this.#serial(async () => {
      const key = `slot!${userId}!${slot}`;
      const held = await this.#get<SlotRow>(key);
      if (held?.sessionId === sessionId) await this.#db.del(key);
    });
  }

  async countSlots(userId: string): Promise<number> {
    const now = Date.now();
    return (await this.#prefix<SlotRow>(`slot!${userId}!`)).filter(([, s]) => s.until > now).length;
  }

  async slotHolder(userId: string, slot: number): Promise<string | undefined> {
    const held = await this.#get<SlotRow>(`slot!${userId}!${slot}`);
    return held !== undefined && held.until > Date.now() ? held.sessionId : undefined;
  }

  async putSession(session: SessionRecord, ttlMs: number): Promise<void> {
    const stored: StoredSession = {
      ...session,
      startTime: session.startTime.getTime(),
      expires: Date.now() + ttlMs,
    };
    await this.#db.put(`sess!${session.sessionId}`, JSON.stringify(stored));
  }

  async getSession(sessionId: string): Promise<SessionRecord | undefined> {
    const stored = await this.#get<StoredSession>(`sess!${sessionId}`);
    if (stored === undefined || stored.expires <= Date.now()) return undefined;
    const { expires: _expires, ...rest } = stored;
    return { ...rest, startTime: new Date(stored.startTime) };
  }

  /** Writes `row` at `key` unless a newer write, a tombstone or the profile's erasure is at least as new. */
  async #versionedPut<T>(profileId: string, key: string, ts: number, row: T): Promise<void> {
    const erased = await this.#get<number>(`erase!${profileId}`);
    if (erased !== undefined && erased >= ts) return;
    const current = await this.#get<Versioned<T>>(key);
    if (current !== undefined && (current.ts > ts || (current.row === undefined && current.ts >= ts))) return;
    await this.#db.put(key, JSON.stringify({ ts, row } satisfies Versioned<T>));
  }

  recordProgress(w: ProgressWrite): Promise<void> {
    return this.#serial(async () => {
      const ts = w.eventTime.getTime();
      const progress: StoredProgress = {
        contentId: w.contentId,
        episodeId: w.episodeId,
        positionMs: w.positionMs,
        durationMs: w.durationMs,
        completed: w.completed,
        deviceId: w.deviceId,
        updateTime: ts,
      };
      await this.#versionedPut(w.profileId, `prog!${w.profileId}!${w.contentId}`, ts, progress);
      const watchedAt = w.watchedAt.getTime();
      const history: StoredHistory = {
        contentId: w.contentId,
        episodeId: w.episodeId,
        sessionId: w.sessionId,
        watchedAt,
        month: monthOf(watchedAt),
        positionMs: w.positionMs,
        durationMs: w.durationMs,
        completed: w.completed,
      };
      await this.#versionedPut(
        w.profileId,
        `hist!${w.profileId}!${pad(watchedAt)}!${w.contentId}`,
        ts,
        history,
      );
    });
  }

  async getProgress(profileId: string, contentId: string): Promise<ProgressRecord | undefined> {
    const v = await this.#get<Versioned<StoredProgress>>(`prog!${profileId}!${contentId}`);
    return v?.row === undefined ? undefined : { ...v.row, updateTime: new Date(v.row.updateTime) };
  }

  async listProgress(profileId: string): Promise<ProgressRecord[]> {
    return (await this.#prefix<Versioned<StoredProgress>>(`prog!${profileId}!`))
      .flatMap(([, v]) => (v.row === undefined ? [] : [v.row]))
      .map((row) => ({ ...row, updateTime: new Date(row.updateTime) }));
  }

  async listHistory(
    profileId: string,
    limit: number,
    cursor: HistoryCursor | undefined,
    nowMs: number,
    months: number,
  ): Promise<HistoryPage> {
    return pageByMonth(
      async (month, after, max) => {
        const start = Date.UTC(Math.floor(month / 100), (month % 100) - 1, 1);
        const end = Date.UTC(Math.floor(month / 100), month % 100, 1);
        const upper =
          after === undefined
            ? `hist!${profileId}!${pad(end)}`
            : `hist!${profileId}!${pad(after.watchedAtMs)}!${after.contentId}`;
        const entries: HistoryRecord[] = [];
        const rows = this.#db.iterator({ gte: `hist!${profileId}!${pad(start)}`, lt: upper, reverse: true });
        for await (const [, value] of rows) {
          const v = JSON.parse(value) as Versioned<StoredHistory>;
          if (v.row === undefined) continue;
          const { month: _month, ...row } = v.row;
          entries.push({ ...row, watchedAt: new Date(row.watchedAt) });
          if (entries.length >= max) break;
        }
        return entries;
      },
      limit,
      cursor,
      nowMs,
      months,
    );
  }

  removeTitle(profileId: string, contentId: string, at: Date): Promise<void> {
    return this.#serial(async () => {
      const ts = at.getTime();
      const tomb = JSON.stringify({ ts } satisfies Versioned<never>);
      await this.#db.put(`prog!${profileId}!${contentId}`, tomb);
      for (const [key, v] of await this.#prefix<Versioned<StoredHistory>>(`hist!${profileId}!`)) {
        if (v.row?.contentId === contentId && v.ts <= ts) await this.#db.put(key, tomb);
      }
    });
  }

  eraseProfile(profileId: string, at: Date): Promise<void> {
    return this.#serial(async () => {
      const ts = at.getTime();
      const erased = (await this.#get<number>(`erase!${profileId}`)) ?? 0;
      const batch = this.#db.batch();
      for (const prefix of [`prog!${profileId}!`, `hist!${profileId}!`]) {
        for (const [key, v] of await this.#prefix<Versioned<unknown>>(prefix)) if (v.ts <= ts) batch.del(key);
      }
      batch.put(`erase!${profileId}`, JSON.stringify(Math.max(ts, erased)));
      await batch.write();
    });
  }

  createIngestJob(job: IngestJobRecord): Promise<void> {
    return this.#serial(async () => {
      const key = `job!${job.jobId}`;
      if ((await this.#get<IngestJobRecord>(key)) !== undefined)
        throw new Error(`ingest job ${job.jobId} exists`);
      await this.#db.put(key, JSON.stringify(job));
    });
  }

  updateIngestJob(job: IngestJobRecord): Promise<boolean> {
    return this.#serial(async () => {
      const current = await this.getIngestJob(job.jobId);
      if (current?.owner !== job.owner) return false;
      await this.#db.put(`job!${job.jobId}`, JSON.stringify({ ...job, createdAt: current.createdAt }));
      return true;
    });
  }

  claimIngestJob(jobId: string, owner: string, leaseUntil: number, nowMs: number) {
    return this.#serial(async () => {
      const current = await this.getIngestJob(jobId);
      if (current === undefined || !unfinished(current) || current.leaseUntil >= nowMs) return undefined;
      const taken = { ...current, owner, leaseUntil, attempts: current.attempts + 1 };
      await this.#db.put(`job!${jobId}`, JSON.stringify(taken));
      return taken;
    });
  }

  async getIngestJob(jobId: string): Promise<IngestJobRecord | undefined> {
    const job = await this.#get<IngestJobRecord>(`job!${jobId}`);
    return job === undefined || job.createdAt + INGEST_JOB_TTL_MS <= Date.now() ? undefined : job;
  }

  async listUnfinishedIngestJobs(): Promise<IngestJobRecord[]> {
    const expired = Date.now() - INGEST_JOB_TTL_MS;
    return (await this.#prefix<IngestJobRecord>("job!"))
      .map(([, job]) => job)
      .filter((job) => unfinished(job) && job.createdAt > expired);
  }

  async close(): Promise<void> {
    await this.#queue;
    await this.#db.close();
  }
}
