import type { CatalogTitle, Interaction } from "./model/types.js";

/** A rating event as the store takes it. */
export interface RatingFact {
  profileId: string;
  contentId: string;
  /** 0 removes the rating. */
  value: number;
  time: number;
}

/** What one heartbeat says about a viewing. */
export interface ViewingFact {
  profileId: string;
  contentId: string;
  fraction: number;
  completed: boolean;
  abandoned: boolean;
  time: number;
}

/** The catalog facts of a title, without its visibility. */
export type TitleFacts = Omit<CatalogTitle, "published" | "visibilityTime">;

/**
 * What the recommendation service keeps: each profile's interactions with
 * titles and the local catalog projection. Every write is idempotent and
 * ordered by the time of the event behind it, so replayed or out-of-order
 * events never move a fact backwards; erasing a profile also refuses events
 * older than the erasure.
 */
export interface TasteStore {
  /** Sets the profile's rating of a title, unless a later rating is already stored. */
  recordRating(fact: RatingFact): Promise<void>;
  /** Sets the viewing facts, unless later ones are stored; completion is never taken back. */
  recordViewing(fact: ViewingFact): Promise<void>;
  /** One interaction, if any. */
  getInteraction(profileId: string, contentId: string): Promise<Interaction | undefined>;
  /** All interactions of a profile. */
  profileInteractions(profileId: string): Promise<Interaction[]>;
  /** Every interaction, for rebuilding the model. */
  allInteractions(): AsyncIterable<Interaction>;
  /**
   * Bulk load of already-merged interactions (backfill, migration, benchmark
   * set-up): each replaces what is stored for its profile and title.
   */
  importInteractions(interactions: Interaction[]): Promise<void>;
  /** Erases everything kept about the profile. */
  eraseProfile(profileId: string): Promise<void>;

  /** Adds or replaces a title's catalog facts (visibility is kept). */
  putTitle(facts: TitleFacts): Promise<void>;
  /** Sets whether a title is visible, unless a later change is stored. */
  setVisibility(contentId: string, published: boolean, time: number): Promise<void>;
  getTitle(contentId: string): Promise<CatalogTitle | undefined>;
  /** The whole catalog projection. */
  listTitles(): Promise<CatalogTitle[]>;
  /** Display names of genres. */
  putGenreNames(names: Map<string, string>): Promise<void>;
  genreNames(): Promise<Map<string, string>>;

  close(): Promise<void>;
}

/** The empty title a visibility event creates before its facts arrive. */
export function blankTitle(contentId: string): CatalogTitle {
  return {
    contentId,
    title: "",
    genreIds: [],
    cast: [],
    synopsis: "",
    maturity: 0,
    published: false,
    visibilityTime: 0,
    availableFrom: 0,
    availableUntil: 0,
    popularity: 0,
  };
}

export function blankInteraction(profileId: string, contentId: string): Interaction {
  return {
    profileId,
    contentId,
    rating: 0,
    ratingTime: 0,
    viewFraction: 0,
    viewTime: 0,
    completed: false,
    abandoned: false,
  };
}
