import type { Content } from "@marquee/sdk/marquee/content/v1/content_pb";
import type { BrowseOrder } from "./domain/sort-keys.js";

/** Where a browse page ended: the last title's sort key and id. */
export interface BrowsePosition {
  key: string;
  id: string;
}

/** A row of the browse index: enough to order and filter without reading the title. */
export interface BrowseRow {
  key: string;
  id: string;
  maturity: number;
}

/** A visibility event owed for a title's write (the write's update time). */
export interface PendingAnnouncement {
  contentId: string;
  updateMs: number;
}

/** The bucket of the browse index that holds every published title. */
export const ALL_GENRES = "_all";

/**
 * The content service's store: titles by id (the catalog's source of truth),
 * and a browse index of published titles per genre and order. The index is
 * kept by `put`; readers re-check each row against its title, so a row left
 * stale by a concurrent write is skipped, never shown.
 */
export interface ContentStore {
  get(contentId: string): Promise<Content | undefined>;
  /** The titles found among these ids (missing ones are absent from the map). */
  getMany(contentIds: readonly string[]): Promise<Map<string, Content>>;
  /**
   * Creates or replaces a title and brings its browse index rows up to date, in
   * one atomic write; with `announce`, the same write records that its
   * visibility event is owed (the outbox: see pendingAnnouncements), and
   * returns that record.
   */
  put(content: Content, announce?: boolean): Promise<PendingAnnouncement | undefined>;
  /** Titles whose visibility event may not have been published yet. */
  pendingAnnouncements(): Promise<PendingAnnouncement[]>;
  /** Forgets one pending announcement once its event is published. */
  clearAnnouncement(pending: PendingAnnouncement): Promise<void>;
  /** Index rows of a bucket (a genre id or ALL_GENRES) in order, strictly after `after`. */
  browseRows(
    bucket: string,
    order: BrowseOrder,
    after: BrowsePosition | undefined,
    limit: number,
  ): Promise<BrowseRow[]>;
  /** Every title, published or not, in no particular order. */
  scan(): AsyncIterable<Content>;
  /** True when the catalog holds no title at all. */
  isEmpty(): Promise<boolean>;
  close(): Promise<void>;
}
