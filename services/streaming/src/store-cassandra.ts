import { type Client, types } from "cassandra-driver";
import type { HistoryCursor, HistoryPage, ProgressRecord, ProgressWrite } from "./history/history-store.js";
import { pageByMonth } from "./history/month-pager.js";
import { monthOf, recentMonths } from "./history/rules.js";
import type { IngestJobRecord, IngestJobState } from "./ingest/job-store.js";
import type { Rung } from "./ingest/ladder.js";
import type { SessionRecord } from "./playback/session-store.js";
import type { StreamingStore } from "./store.js";

const micros = (d: Date | number) => types.Long.fromNumber((typeof d === "number" ? d : d.getTime()) * 1000);
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const str = (v: unknown) => (v === null || v === undefined ? "" : String(v));
const ttlSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

const Q = {
  reserve: "INSERT INTO stream_slots (user_id, slot, session_id) VALUES (?, ?, ?) IF NOT EXISTS USING TTL ?",
  renew:
    "UPDATE stream_slots USING TTL ? SET session_id = ? WHERE user_id = ? AND slot = ? IF session_id = ?",
  release: "DELETE FROM stream_slots WHERE user_id = ? AND slot = ? IF session_id = ?",
  count: "SELECT slot, session_id FROM stream_slots WHERE user_id = ?",
  holder: "SELECT session_id FROM stream_slots WHERE user_id = ? AND slot = ?",
  putSession: `INSERT INTO sessions (session_id, user_id, profile_id, content_id, episode_id, device_id, asset_id,
    duration_ms, max_height, max_streams, slot, start_time, country, ended) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?`,
  getSession: "SELECT * FROM sessions WHERE session_id = ?",
  progress: `INSERT INTO playback_progress (profile_id, content_id, episode_id, position_ms, duration_ms, completed, device_id,
    update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?`,
  history: `INSERT INTO viewing_history (profile_id, month, watched_at, content_id, episode_id, session_id, position_ms,
    duration_ms, completed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?`,
  getProgress: "SELECT * FROM playback_progress WHERE profile_id = ? AND content_id = ?",
  listProgress: "SELECT * FROM playback_progress WHERE profile_id = ?",
  historyPage: "SELECT * FROM viewing_history WHERE profile_id = ? AND month = ? LIMIT ?",
  historyAfter:
    "SELECT * FROM viewing_history WHERE profile_id = ? AND month = ? AND (watched_at, content_id) < (?, ?) LIMIT ?",
  historyKeys: "SELECT watched_at, content_id FROM viewing_history WHERE profile_id = ? AND month = ?",
  removeProgress: "DELETE FROM playback_progress USING TIMESTAMP ? WHERE profile_id = ? AND content_id = ?",
  removeHistory:
    "DELETE FROM viewing_history USING TIMESTAMP ? WHERE profile_id = ? AND month = ? AND watched_at = ? AND content_id = ?",
  eraseProgress: "DELETE FROM playback_progress USING TIMESTAMP ? WHERE profile_id = ?",
  eraseHistory: "DELETE FROM viewing_history USING TIMESTAMP ? WHERE profile_id = ? AND month = ?",
  // Every write of a job is conditional (Paxos): plain and conditional writes must not mix on a row.
  createJob: `INSERT INTO ingest_jobs (bucket, job_id, content_id, episode_id, source, state, progress, stage, error,
    renditions, owner, lease_until, attempts, created_at) VALUES (0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS`,
  updateJob: `UPDATE ingest_jobs SET state = ?, progress = ?, stage = ?, error = ?, renditions = ?, lease_until = ?
    WHERE bucket = 0 AND job_id = ? IF owner = ?`,
  claimJob: `UPDATE ingest_jobs SET owner = ?, lease_until = ?, attempts = ? WHERE bucket = 0 AND job_id = ?
    IF lease_until < ? AND state IN ('queued', 'running') AND attempts = ?`,
  getJob: "SELECT * FROM ingest_jobs WHERE bucket = 0 AND job_id = ?",
  listJobs: "SELECT * FROM ingest_jobs WHERE bucket = 0",
} as const;

/** Conditional writes can time out under contention; the outcome is then unknown and worth one more look. */
async function withContentionRetry<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await work();
    } catch (err) {
      const name = (err as { name?: string }).name ?? "";
      const timedOut = name === "ResponseError" && /timeout|contention/i.test(String((err as Error).message));
      if (!timedOut || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 20 * i + Math.random() * 30));
    }
  }
}

/**
 * The Cassandra adapter (keyspace marquee_streaming, see migrations.ts).
 * Stream slots are claimed with lightweight transactions (Paxos per account
 * partition), so parallel StreamContent calls cannot both take the last one;
 * progress and history writes carry USING TIMESTAMP = event time.
 */
export class CassandraStreamingStore implements StreamingStore {
  readonly #client: Client;
  readonly #ownsClient: boolean;

  constructor(client: Client, ownsClient = true) {
    this.#client = client;
    this.#ownsClient = ownsClient;
  }

  get client(): Client {
    return this.#client;
  }

  #exec(query: string, params: unknown[]) {
    return this.#client.execute(query, params, { prepare: true });
  }

  async reserveSlot(userId: string, sessionId: string, maxStreams: number, leaseMs: number) {
    for (let slot = 0; slot < maxStreams; slot++) {
      const rs = await withContentionRetry(() =>
        this.#exec(Q.reserve, [userId, slot, sessionId, ttlSeconds(leaseMs)]),
      );
      if (rs.wasApplied()) return slot;
      // A retried write may find its own earlier success.
      if (str(rs.first()?.session_id) === sessionId) return slot;
    }
    return undefined;
  }

  async renewSlot(userId: string, slot: number, sessionId: string, leaseMs: number) {
    const rs = await withContentionRetry(() =>
      this.#exec(Q.renew, [ttlSeconds(leaseMs), sessionId, userId, slot, sessionId]),
    );
    return rs.wasApplied();
  }

  async releaseSlot(userId: string, slot: number, sessionId: string) {
    await withContentionRetry(() => this.#exec(Q.release, [userId, slot, sessionId]));
  }

  async countSlots(userId: string) {
    const rs = await this.#exec(Q.count, [userId]);
    return rs.rows.filter((r) => r.session_id !== null).length;
  }

  async slotHolder(userId: string, slot: number) {
    const row = (await this.#exec(Q.holder, [userId, slot])).first();
    const holder = str(row?.session_id);
    return holder === "" ? undefined : holder;
  }

  async putSession(s: SessionRecord, ttlMs: number) {
    await this.#exec(Q.putSession, [
      s.sessionId,
      s.userId,
      s.profileId,
      s.contentId,
      s.episodeId,
      s.deviceId,
      s.assetId,
      types.Long.fromNumber(s.durationMs),
      s.maxHeight,
      s.maxStreams,
      s.slot,
      s.startTime,
      s.country,
      s.ended,
      ttlSeconds(ttlMs),
    ]);
  }

  async getSession(sessionId: string): Promise<SessionRecord | undefined> {
    const row = (await this.#exec(Q.getSession, [sessionId])).first();
    if (!row) return undefined;
    return {
      sessionId: str(row.session_id),
      userId: str(row.user_id),
      profileId: str(row.profile_id),
      contentId: str(row.content_id),
      episodeId: str(row.episode_id),
      deviceId: str(row.device_id),
      assetId: str(row.asset_id),
      durationMs: num(row.duration_ms),
      maxHeight: num(row.max_height),
      maxStreams: num(row.max_streams),
      slot: num(row.slot),
      startTime: row.start_time as Date,
      country: str(row.country),
      ended: row.ended === true,
    };
  }

  async recordProgress(w: ProgressWrite) {
    const ts = micros(w.eventTime);
    const position = types.Long.fromNumber(w.positionMs);
    const duration = types.Long.fromNumber(w.durationMs);
    await Promise.all([
      this.#exec(Q.progress, [
        w.profileId,
        w.contentId,
        w.episodeId,
        position,
        duration,
        w.completed,
        w.deviceId,
        w.eventTime,
        ts,
      ]),
      this.#exec(Q.history, [
        w.profileId,
        monthOf(w.watchedAt.getTime()),
        w.watchedAt,
        w.contentId,
        w.episodeId,
        w.sessionId,
        position,
        duration,
        w.completed,
        ts,
      ]),
    ]);
  }

  async getProgress(profileId: string, contentId: string) {
    const row = (await this.#exec(Q.getProgress, [profileId, contentId])).first();
    return row ? toProgress(row) : undefined;
  }

  async listProgress(profileId: string) {
    const out: ProgressRecord[] = [];
    let pageState: string | undefined;
    do {
      const rs = await this.#client.execute(Q.listProgress, [profileId], {
        prepare: true,
        fetchSize: 500,
        pageState,
      });
      out.push(...rs.rows.map(toProgress));
      pageState = rs.pageState ?? undefined;
    } while (pageState);
    return out;
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
        const rs =
          after === undefined
            ? await this.#exec(Q.historyPage, [profileId, month, max])
            : await this.#exec(Q.historyAfter, [
                profileId,
                month,
                new Date(after.watchedAtMs),
                after.contentId,
                max,
              ]);
        return rs.rows.map((row) => ({
          contentId: str(row.content_id),
          episodeId: str(row.episode_id),
          sessionId: str(row.session_id),
          watchedAt: row.watched_at as Date,
          positionMs: num(row.position_ms),
          durationMs: num(row.duration_ms),
          completed: row.completed === true,
        }));
      },
      limit,
      cursor,
      nowMs,
      months,
    );
  }

  async removeTitle(profileId: string, contentId: string, at: Date, months: number) {
    const ts = micros(at);
    const deletes: Promise<unknown>[] = [this.#exec(Q.removeProgress, [ts, profileId, contentId])];
    for (const month of recentMonths(at.getTime(), months)) {
      const rs = await this.#exec(Q.historyKeys, [profileId, month]);
      for (const row of rs.rows) {
        if (str(row.content_id) !== contentId) continue;
        deletes.push(this.#exec(Q.removeHistory, [ts, profileId, month, row.watched_at, row.content_id]));
      }
    }
    await Promise.all(deletes);
  }

  async eraseProfile(profileId: string, at: Date, months: number) {
    const ts = micros(at);
    await Promise.all([
      this.#exec(Q.eraseProgress, [ts, profileId]),
      ...recentMonths(at.getTime(), months).map((month) =>
        this.#exec(Q.eraseHistory, [ts, profileId, month]),
      ),
    ]);
  }

  async createIngestJob(job: IngestJobRecord) {
    const rs = await withContentionRetry(() =>
      this.#exec(Q.createJob, [
        job.jobId,
        job.contentId,
        job.episodeId,
        job.source,
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
      this.#exec(Q.updateJob, [
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
      this.#exec(Q.claimJob, [
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
    const row = (await this.#exec(Q.getJob, [jobId])).first();
    return row ? toJob(row) : undefined;
  }

  async listUnfinishedIngestJobs() {
    const rows = (await this.#exec(Q.listJobs, [])).rows.map(toJob);
    return rows.filter((j) => j.state === "queued" || j.state === "running");
  }

  async close() {
    if (this.#ownsClient) await this.#client.shutdown();
  }
}

function toProgress(row: types.Row): ProgressRecord {
  return {
    contentId: str(row.content_id),
    episodeId: str(row.episode_id),
    positionMs: num(row.position_ms),
    durationMs: num(row.duration_ms),
    completed: row.completed === true,
    deviceId: str(row.device_id),
    updateTime: row.update_time as Date,
  };
}

function toJob(row: types.Row): IngestJobRecord {
  return {
    jobId: str(row.job_id),
    contentId: str(row.content_id),
    episodeId: str(row.episode_id),
    source: str(row.source),
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
