import type { HistoryCursor, HistoryStore, ProgressRecord } from "./history-store.js";
import { recentMonths } from "./rules.js";

/** One entry of a member's viewing history. */
export interface ListedEntry {
  contentId: string;
  episodeId: string;
  watchedAt: Date;
  positionMs: number;
  completed: boolean;
  /** A title last watched before the detailed window: one entry for it, from its progress. */
  summary: boolean;
}

/** The first millisecond of the oldest month bucket the detailed history covers. */
function detailedSinceMs(nowMs: number, months: number): number {
  const oldest = recentMonths(nowMs, months).at(-1) as number;
  return Date.UTC(Math.floor(oldest / 100), (oldest % 100) - 1, 1);
}

/** Newest first, then by content id descending: the order of the history table. */
const newerFirst = (a: ProgressRecord, b: ProgressRecord) =>
  b.updateTime.getTime() - a.updateTime.getTime() || (a.contentId < b.contentId ? 1 : -1);

const isAfter = (p: ProgressRecord, c: HistoryCursor) => {
  const w = p.updateTime.getTime();
  return w < c.watchedAtMs || (w === c.watchedAtMs && p.contentId < c.contentId);
};

/**
 * A page of history, newest first: each viewing of the last `months` month
 * buckets (history rows expire after them), then one summary entry per title
 * last watched before those, from its progress row (kept without expiry), so
 * history never loses a title. Both parts share one order and one cursor; a
 * title watched within the window appears only as its viewings there.
 */
export async function listViewingHistory(
  store: Pick<HistoryStore, "listHistory" | "listProgress">,
  profileId: string,
  limit: number,
  cursor: HistoryCursor | undefined,
  nowMs: number,
  months: number,
): Promise<{ entries: ListedEntry[]; next?: HistoryCursor }> {
  const since = detailedSinceMs(nowMs, months);
  const entries: ListedEntry[] = [];
  if (cursor === undefined || cursor.watchedAtMs >= since) {
    const page = await store.listHistory(profileId, limit, cursor, nowMs, months);
    entries.push(...page.entries.map((e) => ({ ...e, summary: false })));
    if (page.next !== undefined) return { entries, next: page.next };
  }
  // The titles a profile ever watched are a few hundred to a few thousand rows of one partition.
  const earlier = (await store.listProgress(profileId))
    .filter((p) => p.updateTime.getTime() < since && (cursor === undefined || isAfter(p, cursor)))
    .sort(newerFirst);
  const taken = earlier.slice(0, limit - entries.length);
  entries.push(
    ...taken.map((p) => ({
      contentId: p.contentId,
      episodeId: p.episodeId,
      watchedAt: p.updateTime,
      positionMs: p.positionMs,
      completed: p.completed,
      summary: true,
    })),
  );
  const last = entries.at(-1);
  return taken.length < earlier.length && last !== undefined
    ? { entries, next: { watchedAtMs: last.watchedAt.getTime(), contentId: last.contentId } }
    : { entries };
}
