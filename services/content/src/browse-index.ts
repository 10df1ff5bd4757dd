import type { Content } from "@marquee/sdk/marquee/content/v1/content_pb";
import { BROWSE_ORDERS, type BrowseOrder, sortKey } from "./domain/sort-keys.js";
import { isPublished } from "./domain/visibility.js";
import { ALL_GENRES, type BrowseRow } from "./store.js";

/** One entry of the browse index. */
export interface IndexEntry extends BrowseRow {
  bucket: string;
  order: BrowseOrder;
}

/** The browse index rows a title has: one per (bucket, order) while it is published, none otherwise. */
export function indexEntries(content: Content): IndexEntry[] {
  if (!isPublished(content)) return [];
  const buckets = [ALL_GENRES, ...new Set(content.genreIds)];
  const entries: IndexEntry[] = [];
  for (const bucket of buckets) {
    for (const order of BROWSE_ORDERS) {
      entries.push({
        bucket,
        order,
        key: sortKey(order, content),
        id: content.contentId,
        maturity: content.maturityRating,
      });
    }
  }
  return entries;
}

/** Whether an index row still describes this title (rows left by an older version are stale). */
export function rowIsCurrent(
  row: IndexEntry | (BrowseRow & { bucket: string; order: BrowseOrder }),
  content: Content,
): boolean {
  if (!isPublished(content)) return false;
  if (row.bucket !== ALL_GENRES && !content.genreIds.includes(row.bucket)) return false;
  return sortKey(row.order, content) === row.key;
}
