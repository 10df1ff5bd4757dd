/**
 * Browse orders as byte-comparable keys: ascending key order is the order
 * members see, and (key, content id) is unique, so a page token that holds
 * the last (key, id) resumes exactly after it — no repeat, no skip, even
 * while titles are being added before or after the cursor.
 */
export type BrowseOrder = "popularity" | "newest" | "title";

export const BROWSE_ORDERS: readonly BrowseOrder[] = ["popularity", "newest", "title"];

const POPULARITY_SCALE = 1000; // three decimals
const POPULARITY_MAX = 1e12;

/**
 * Lower-cased, accents removed, punctuation blanked, leading article dropped:
 * how a title sorts. Plain ASCII, so every store compares it the same way.
 */
export function titleSortKey(title: string): string {
  const folded = foldText(title)
    .replace(/[^a-z0-9]+/g, " ")
    .trim()
    .replace(/^(the|a|an) /, "");
  return folded.slice(0, 200);
}

/** Lower case without diacritics: "Amélie" → "amelie". */
export function foldText(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().trim();
}

export function sortKey(order: BrowseOrder, t: { popularity: number; releaseDate: string; title: string }) {
  switch (order) {
    case "popularity": {
      // Most popular first: invert, then zero-pad so text order is numeric order.
      const scaled = Math.round(
        Math.min(Math.max(t.popularity, 0), POPULARITY_MAX / POPULARITY_SCALE) * POPULARITY_SCALE,
      );
      return String(POPULARITY_MAX - scaled).padStart(13, "0");
    }
    case "newest": {
      // Newest first: invert YYYYMMDD.
      const day = Number((t.releaseDate || "0000-00-00").replaceAll("-", ""));
      return String(99_999_999 - day).padStart(8, "0");
    }
    case "title":
      return titleSortKey(t.title);
  }
}
