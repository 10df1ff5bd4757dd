/**
 * The rules of thumbs ratings, free of any transport or storage: rating
 * values, per-title counts, how a change moves them, and the score.
 */

import { fnv1a } from "@marquee/kit";

/** A stored rating value: 0 = none (never rated or removed), then as marquee.feedback.v1.RatingValue. */
export type RatingValue = 0 | 1 | 2 | 3;

const NO_RATING = 0;

/** How many profiles currently give a title each rating. */
export interface RatingCounts {
  thumbsDown: number;
  thumbsUp: number;
  doubleThumbsUp: number;
}

export const ZERO_COUNTS: Readonly<RatingCounts> = Object.freeze({
  thumbsDown: 0,
  thumbsUp: 0,
  doubleThumbsUp: 0,
});

const FIELD: Record<Exclude<RatingValue, 0>, keyof RatingCounts> = {
  1: "thumbsDown",
  2: "thumbsUp",
  3: "doubleThumbsUp",
};

export function isRatingValue(n: number): n is RatingValue {
  return n === 0 || n === 1 || n === 2 || n === 3;
}

/** The counts after one profile's rating moves from `previous` to `next` (either may be 0). */
export function applyChange(counts: RatingCounts, previous: RatingValue, next: RatingValue): RatingCounts {
  const result = { ...counts };
  if (previous !== NO_RATING) result[FIELD[previous]] -= 1;
  if (next !== NO_RATING) result[FIELD[next]] += 1;
  if (result.thumbsDown < 0 || result.thumbsUp < 0 || result.doubleThumbsUp < 0) {
    throw new Error(`rating counts would go negative (${previous} -> ${next} on ${JSON.stringify(counts)})`);
  }
  return result;
}

/** How much a double thumbs up weighs against a thumbs up in the score. */
const DOUBLE_WEIGHT = 1.5;

/**
 * Score from 0 to 100: the weighted share of positive ratings, where a double
 * thumbs up counts 1.5 times. All positive gives 100, all negative 0, half
 * thumbs up and half down 50, half double up and half down 60. No ratings: 0.
 */
export function score(c: RatingCounts): number {
  const positive = c.thumbsUp + DOUBLE_WEIGHT * c.doubleThumbsUp;
  const total = positive + c.thumbsDown;
  return total === 0 ? 0 : Math.round((1000 * positive) / total) / 10;
}

/** Ratings of one title are spread over this many partitions, each with its own exact aggregate. */
export const TITLE_SHARDS = 16;

/** The shard of a title's ratings a profile always lands in (FNV-1a over the profile id). */
export function shardOf(profileId: string, shards = TITLE_SHARDS): number {
  return fnv1a(profileId) % shards;
}

/**
 * The time of a rating's next version: now, but always after the previous
 * one, so versions of one (profile, title) are strictly ordered by time even
 * across machines whose clocks disagree.
 */
export function nextUpdateTime(now: Date, previous: Date | undefined): Date {
  if (previous === undefined || now.getTime() > previous.getTime()) return now;
  return new Date(previous.getTime() + 1);
}
