import { types } from "cassandra-driver";
import { CassandraAdapter, num, str } from "../cassandra-shared.js";
import type {
  HistoryCursor,
  HistoryPage,
  HistoryStore,
  ProgressRecord,
  ProgressWrite,
} from "./history-store.js";
import { pageByMonth } from "./month-pager.js";
import { monthOf, recentMonths } from "./rules.js";

const micros = (d: Date | number) => types.Long.fromNumber((typeof d === "number" ? d : d.getTime()) * 1000);

const Q = {
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
} as const;

/**
 * Progress and viewing history on Cassandra (tables playback_progress and
 * viewing_history of marquee_streaming). Writes and deletes carry USING
 * TIMESTAMP = event time, so the newest reading wins whatever the arrival
 * order and a removal shadows every older reading.
 */
export class CassandraHistoryStore extends CassandraAdapter implements HistoryStore {
  async recordProgress(w: ProgressWrite) {
    const ts = micros(w.eventTime);
    const position = types.Long.fromNumber(w.positionMs);
    const duration = types.Long.fromNumber(w.durationMs);
    await Promise.all([
      this.exec(Q.progress, [
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
      this.exec(Q.history, [
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
    const row = (await this.exec(Q.getProgress, [profileId, contentId])).first();
    return row ? toProgress(row) : undefined;
  }

  async listProgress(profileId: string) {
    const out: ProgressRecord[] = [];
    let pageState: string | undefined;
    do {
      const rs = await this.client.execute(Q.listProgress, [profileId], {
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
            ? await this.exec(Q.historyPage, [profileId, month, max])
            : await this.exec(Q.historyAfter, [
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
    const deletes: Promise<unknown>[] = [this.exec(Q.removeProgress, [ts, profileId, contentId])];
    for (const month of recentMonths(at.getTime(), months)) {
      const rs = await this.exec(Q.historyKeys, [profileId, month]);
      for (const row of rs.rows) {
        if (str(row.content_id) !== contentId) continue;
        deletes.push(this.exec(Q.removeHistory, [ts, profileId, month, row.watched_at, row.content_id]));
      }
    }
    await Promise.all(deletes);
  }

  async eraseProfile(profileId: string, at: Date, months: number) {
    const ts = micros(at);
    await Promise.all([
      this.exec(Q.eraseProgress, [ts, profileId]),
      ...recentMonths(at.getTime(), months).map((month) => this.exec(Q.eraseHistory, [ts, profileId, month])),
    ]);
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
