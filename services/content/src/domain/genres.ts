/**
 * The catalog's genre taxonomy. Genres are part of the product's vocabulary
 * (rows on the home screen, filters in search), changed with a release, not
 * by operators at run time; a title refers to them by slug.
 */
export interface GenreDef {
  id: string;
  name: string;
}

export const GENRES: readonly GenreDef[] = [
  { id: "action", name: "Action" },
  { id: "adventure", name: "Adventure" },
  { id: "animation", name: "Animation" },
  { id: "anime", name: "Anime" },
  { id: "biography", name: "Biography" },
  { id: "comedy", name: "Comedy" },
  { id: "crime", name: "Crime" },
  { id: "documentary", name: "Documentary" },
  { id: "drama", name: "Drama" },
  { id: "family", name: "Family" },
  { id: "fantasy", name: "Fantasy" },
  { id: "history", name: "History" },
  { id: "horror", name: "Horror" },
  { id: "kids", name: "Kids" },
  { id: "music", name: "Music" },
  { id: "musical", name: "Musical" },
  { id: "mystery", name: "Mystery" },
  { id: "reality", name: "Reality" },
  { id: "romance", name: "Romance" },
  { id: "science-fiction", name: "Science Fiction" },
  { id: "sports", name: "Sports" },
  { id: "thriller", name: "Thriller" },
  { id: "war", name: "War" },
  { id: "western", name: "Western" },
];

const BY_ID = new Map(GENRES.map((g) => [g.id, g]));

export function isKnownGenre(id: string): boolean {
  return BY_ID.has(id);
}

/** The ids among these that are not genres of the catalog. */
export function unknownGenres(ids: readonly string[]): string[] {
  return ids.filter((id) => !BY_ID.has(id));
}

/** A genre's display name, or undefined for an unknown id. */
export function genreNameOf(id: string): string | undefined {
  return BY_ID.get(id)?.name;
}
