import type { Content } from "@marquee/sdk/marquee/content/v1/content_pb";
import { rowIsCurrent } from "./browse-index.js";
import { allowed } from "./domain/maturity.js";
import type { BrowseOrder } from "./domain/sort-keys.js";
import { isVisible } from "./domain/visibility.js";
import type { BrowsePosition, ContentStore } from "./store.js";

export interface BrowsePage {
  items: Content[];
  /** Where the next page starts; absent on the last page. */
  next?: BrowsePosition;
}

/** Index rows examined per call at most, so a narrow filter cannot make one call scan the catalog. */
const SCAN_BUDGET = 2_000;

/**
 * A page of visible titles of a bucket in keyset order. Rows above the cap are
 * skipped without reading their titles; rows whose title changed since they
 * were written are skipped too. The position returned is the last row
 * examined, so the next page neither repeats nor skips a title.
 */
export async function browsePage(
  store: ContentStore,
  q: { bucket: string; order: BrowseOrder; after?: BrowsePosition; limit: number; cap: number; now?: Date },
): Promise<BrowsePage> {
  const items: Content[] = [];
  let after = q.after;
  let scanned = 0;
  const batch = Math.min(Math.max(q.limit * 2, 20), 500);
  while (items.length < q.limit && scanned < SCAN_BUDGET) {
    const rows = await store.browseRows(q.bucket, q.order, after, batch);
    if (rows.length === 0) return { items };
    const wanted = rows.filter((r) => allowed(r.maturity, q.cap));
    const contents = await store.getMany(wanted.map((r) => r.id));
    for (const row of rows) {
      scanned++;
      after = { key: row.key, id: row.id };
      const content = contents.get(row.id);
      if (
        content !== undefined &&
        allowed(content.maturityRating, q.cap) &&
        rowIsCurrent({ ...row, bucket: q.bucket, order: q.order }, content) &&
        isVisible(content, q.now)
      ) {
        items.push(content);
        if (items.length === q.limit) break;
      }
    }
    if (rows.length < batch && items.length < q.limit) {
      // The bucket is exhausted: this was the last page, unless the last row was the last title.
      return { items };
    }
  }
  return after === undefined ? { items } : { items, next: after };
}
