/**
 * The facts the recommender learns from, as plain data: no gRPC, no storage.
 * Times are milliseconds since the epoch.
 */

/** What the recommender keeps of a catalog title (a projection of the content service's data). */
export interface CatalogTitle {
  contentId: string;
  title: string;
  /** Genre slugs, most specific first. */
  genreIds: string[];
  /** Names of the principal cast and crew. */
  cast: string[];
  synopsis: string;
  /** marquee.common.v1.MaturityRating: 1 ALL … 4 ADULT; 0 unknown (treated as ADULT). */
  maturity: number;
  /** Whether members can see it (last visibility event wins by its time). */
  published: boolean;
  /** Time of the visibility change that set `published`. */
  visibilityTime: number;
  /** Availability window; 0 means unbounded. */
  availableFrom: number;
  availableUntil: number;
  /** The catalog's own popularity score (prior for cold start). */
  popularity: number;
}

/** Everything one profile did with one title. Each part keeps the time of the event that set it. */
export interface Interaction {
  profileId: string;
  contentId: string;
  /** marquee.feedback.v1.RatingValue: 0 none/removed, 1 thumbs down, 2 up, 3 double up. */
  rating: number;
  ratingTime: number;
  /** Furthest-known playback position as a share of the running time, 0..1 (latest heartbeat wins). */
  viewFraction: number;
  viewTime: number;
  /** Watched to the end at least once (sticky). */
  completed: boolean;
  /** Stopped early in the latest session (a weak negative). */
  abandoned: boolean;
}

export const RATING_THUMBS_DOWN = 1;
export const RATING_THUMBS_UP = 2;
export const RATING_DOUBLE_UP = 3;
export const MATURITY_ADULT = 4;
