import type { HistoryCursor, HistoryPage, HistoryRecord } from "./history-store.js";
import { monthOf, recentMonths } from "./rules.js";

/**
 * Up to `max` history rows of one month bucket, newest first (then by content id descending);
 * with `after`, only those past that entry.
 */
export type MonthReader = (
  month: number,
  after: HistoryCursor | undefined,
  max: number,
) => Promise<HistoryRecord[]>;

/**
 * A history page, newest first, from after `cursor`, over the `months` month buckets ending with
 * the one holding `nowMs`: reads bucket by bucket until one row more than the page is found, which
 * tells that more follow. Both adapters page through their buckets with it.
 */
export async function pageByMonth(
  read: MonthReader,
  limit: number,
  cursor: HistoryCursor | undefined,
  nowMs: number,
  months: number,
): Promise<HistoryPage> {
  const entries: HistoryRecord[] = [];
  const want = limit + 1;
  const cursorMonth = cursor === undefined ? undefined : monthOf(cursor.watchedAtMs);
  for (const month of recentMonths(nowMs, months)) {
    if (cursorMonth !== undefined && month > cursorMonth) continue;
    entries.push(...(await read(month, month === cursorMonth ? cursor : undefined, want - entries.length)));
    if (entries.length >= want) break;
  }
  const page = entries.slice(0, limit);
  const last = page[page.length - 1];
  return entries.length > limit && last !== undefined
    ? { entries: page, next: { watchedAtMs: last.watchedAt.getTime(), contentId: last.contentId } }
    : { entries: page };
}
