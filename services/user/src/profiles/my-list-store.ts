/**
 * The My List port: the titles a profile keeps to watch later. Adapters:
 * my-list-store-embedded.ts and my-list-store-cassandra.ts, composed into the
 * user store so a profile's list goes in the same step as the profile; one
 * contract suite (test/my-list-contract.ts) runs against both.
 */
export interface MyListEntry {
  contentId: string;
  addTime: Date;
}

/** Where a page ends: the last entry it held (lists are newest first, ties by content id). */
export interface MyListCursor {
  addTime: Date;
  contentId: string;
}

export type AddToMyListOutcome = { outcome: "added" | "present"; entry: MyListEntry } | { outcome: "full" };

export interface MyListStore {
  /**
   * Puts the title on the profile's list unless it is there already
   * ("present", with its first add time) or the list holds `max` ("full").
   */
  addToMyList(profileId: string, entry: MyListEntry, max: number): Promise<AddToMyListOutcome>;
  /** Takes the title off; nothing happens when it is not there. */
  removeFromMyList(profileId: string, contentId: string): Promise<void>;
  /** Up to `limit` entries, newest first, after `after` when given. */
  listMyList(profileId: string, limit: number, after?: MyListCursor): Promise<MyListEntry[]>;
}

/** Newest first; the content id orders titles added in the same millisecond. */
function newestFirst(a: MyListEntry, b: MyListEntry): number {
  return b.addTime.getTime() - a.addTime.getTime() || a.contentId.localeCompare(b.contentId);
}

/** The page of `limit` entries after `after` of a whole list, newest first. */
export function pageOf(entries: MyListEntry[], limit: number, after?: MyListCursor): MyListEntry[] {
  const sorted = [...entries].sort(newestFirst);
  const start = after === undefined ? 0 : sorted.findIndex((e) => newestFirst(e, after) > 0);
  return start < 0 ? [] : sorted.slice(start, start + limit);
}
