import type { RatingCounts, RatingValue } from "./ratings.js";

/**
 * The feedback service's storage port: ratings with their per-title
 * aggregates, and written feedback awaiting review. Adapters: Cassandra
 * (store-cassandra.ts) and classic-level (store-embedded.ts); both pass
 * test/store-contract.ts.
 */
export interface FeedbackStore {
  /**
   * Sets a profile's rating of a title (value 0 removes it) and moves the
   * title's counts by exactly this change, even under concurrent calls.
   * Returns the rating's current version: `changed` is false when it already
   * had this value (a repeated call), in which case the version returned is
   * the one stored. Returns undefined when removing a rating that never existed.
   * Throws RatingContentionError when the change could not be applied for contention.
   */
  setRating(
    profileId: string,
    contentId: string,
    value: RatingValue,
    now: Date,
  ): Promise<RatingChange | undefined>;

  /** A profile's current rating of a title, if any. */
  getRating(profileId: string, contentId: string): Promise<StoredRating | undefined>;

  /** The title's counts, read from the maintained aggregate (no scan). */
  contentRatings(contentId: string): Promise<RatingCounts>;

  /** The title's counts recomputed from its individual ratings: for audits and tests, never for serving. */
  recountContentRatings(contentId: string): Promise<RatingCounts>;

  /** A profile's ratings, newest first, starting after `after`. */
  listRatings(profileId: string, limit: number, after?: RatingCursor): Promise<RatingsPage>;

  /** Stores written feedback for review. */
  addFeedback(entry: FeedbackEntry): Promise<void>;

  /** A profile's feedback, newest first. */
  listFeedback(profileId: string): Promise<FeedbackEntry[]>;

  /** Feedback written on one UTC day ("2026-11-23"), newest first: the reviewers' queue. */
  listFeedbackForReview(day: string, limit: number): Promise<FeedbackEntry[]>;

  /** Erases every rating (adjusting the title counts) and all feedback of a profile. Idempotent. */
  eraseProfile(profileId: string): Promise<ErasureResult>;

  close(): Promise<void>;
}

/** One version of a (profile, title) rating, as stored and as announced in rating.submitted. */
export interface RatingChange {
  profileId: string;
  contentId: string;
  /** The value now (0 = removed). */
  value: RatingValue;
  /** The value this version replaced (0 = none). */
  previousValue: RatingValue;
  /** Version number of this (profile, title) rating: 1, 2, ... */
  seq: number;
  updateTime: Date;
  /** False when the call found this value already stored and changed nothing. */
  changed: boolean;
}

export interface StoredRating {
  profileId: string;
  contentId: string;
  value: Exclude<RatingValue, 0>;
  updateTime: Date;
}

/** Position in a profile's newest-first list: the last rating returned. */
export interface RatingCursor {
  updateTime: number;
  contentId: string;
}

export interface RatingsPage {
  ratings: StoredRating[];
  /** Set when more ratings may follow. */
  next?: RatingCursor;
}

export interface FeedbackEntry {
  feedbackId: string;
  profileId: string;
  /** "" when the feedback is not about one title. */
  contentId: string;
  /** As marquee.feedback.v1.FeedbackCategory. */
  category: number;
  text: string;
  createTime: Date;
}

export interface ErasureResult {
  ratings: number;
  feedback: number;
}

/** A rating change lost its compare-and-set too many times in a row to concurrent changes. */
export class RatingContentionError extends Error {
  override name = "RatingContentionError";
}

/** The UTC day of a time, as the review queue groups feedback. */
export function reviewDay(time: Date): string {
  return time.toISOString().slice(0, 10);
}
