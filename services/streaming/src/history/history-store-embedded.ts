import { EmbeddedAdapter } from "../embedded-shared.js";
import type {
  HistoryCursor,
  HistoryPage,
  HistoryRecord,
  HistoryStore,
  ProgressRecord,
  ProgressWrite,
} from "./history-store.js";
import { pageByMonth } from "./month-pager.js";
import { monthOf } from "./rules.js";

/** A stored row with the timestamp of the write that produced it; a tombstone has no data. */
interface Versioned<T> {
  ts: number;
  row?: T;
}

type StoredProgress = Omit<ProgressRecord, "updateTime"> & { updateTime: number };
type StoredHistory = Omit<HistoryRecord, "watchedAt"> & { watchedAt: number; month: number };

const pad = (n: number) => n.toString().padStart(15, "0");

/**
 * Progress and viewing history on classic-level (keys `prog!<profile>!<content>`,
 * `hist!<profile>!<watched at>!<content>` and `erase!<profile>`), with the
 * Cassandra adapter's semantics: every row remembers the event time of the
 * write that made it and only a newer (or equal) one replaces it; removals
 * leave tombstones, so older readings arriving afterwards are dropped.
 */
export class EmbeddedHistoryStore extends EmbeddedAdapter implements HistoryStore {
  /** Writes `row` at `key` unless a newer write, a tombstone or the profile's erasure is at least as new. */
  async #versionedPut<T>(profileId: string, key: string, ts: number, row: T): Promise<void> {
    const erased = await this.get<number>(`erase!${profileId}`);
    if (erased !== undefined && erased >= ts) return;
    const current = await this.get<Versioned<T>>(key);
    if (current !== undefined && (current.ts > ts || (current.row === undefined && current.ts >= ts))) return;
    await this.db.put(key, JSON.stringify({ ts, row } satisfies Versioned<T>));
  }

  recordProgress(w: ProgressWrite): Promise<void> {
    return this.serial(async () => {
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
    const v = await this.get<Versioned<StoredProgress>>(`prog!${profileId}!${contentId}`);
    return v?.row === undefined ? undefined : { ...v.row, updateTime: new Date(v.row.updateTime) };
  }

  async listProgress(profileId: string): Promise<ProgressRecord[]> {
    return (await this.prefix<Versioned<StoredProgress>>(`prog!${profileId}!`))
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
        const rows = this.db.iterator({ gte: `hist!${profileId}!${pad(start)}`, lt: upper, reverse: true });
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
    return this.serial(async () => {
      const ts = at.getTime();
      const tomb = JSON.stringify({ ts } satisfies Versioned<never>);
      await this.db.put(`prog!${profileId}!${contentId}`, tomb);
      for (const [key, v] of await this.prefix<Versioned<StoredHistory>>(`hist!${profileId}!`)) {
        if (v.row?.contentId === contentId && v.ts <= ts) await this.db.put(key, tomb);
      }
    });
  }

  eraseProfile(profileId: string, at: Date): Promise<void> {
    return this.serial(async () => {
      const ts = at.getTime();
      const erased = (await this.get<number>(`erase!${profileId}`)) ?? 0;
      const batch = this.db.batch();
      for (const prefix of [`prog!${profileId}!`, `hist!${profileId}!`]) {
        for (const [key, v] of await this.prefix<Versioned<unknown>>(prefix)) if (v.ts <= ts) batch.del(key);
      }
      batch.put(`erase!${profileId}`, JSON.stringify(Math.max(ts, erased)));
      await batch.write();
    });
  }
}
