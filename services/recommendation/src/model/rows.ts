import type { Scored, TasteModel } from "./taste-model.js";
import { MATURITY_ADULT } from "./types.js";

/** Kinds of rows, mirroring marquee.recommendation.v1.RowKind. */
export type RowKind = "top-picks" | "because-you-watched" | "trending-in-genre" | "popular";

export interface Row {
  kind: RowKind;
  title: string;
  evidenceContentId?: string;
  evidenceGenreId?: string;
  items: { contentId: string; score: number }[];
}

export interface RowRequest {
  profileId: string;
  /** marquee.common.v1.MaturityRating cap; 0 means no cap. */
  maturityCap: number;
  maxRows: number;
  itemsPerRow: number;
  now: number;
}

/** Rows of "Because you watched" built from the most recent liked titles. */
const BECAUSE_ROWS = 3;
const GENRE_ROWS = 3;

/**
 * The filter every row passes: a title members can see now, within the
 * profile's maturity cap (an unknown rating counts as adult), that the
 * profile has not completed nor turned down.
 */
function eligibility(model: TasteModel, req: Pick<RowRequest, "profileId" | "maturityCap" | "now">) {
  const p = model.profile(req.profileId);
  const excluded = new Set<number>();
  const seen = new Set<number>();
  if (p !== undefined) {
    p.items.forEach((item, k) => {
      seen.add(item);
      if (p.completed[k] || (p.weights[k] as number) < 0) excluded.add(item);
    });
  }
  const cap = req.maturityCap > 0 ? req.maturityCap : MATURITY_ADULT;
  const ok = (item: number): boolean => {
    if (excluded.has(item)) return false;
    const t = model.title(item);
    if (t === undefined || !t.published) return false;
    if ((t.maturity > 0 ? t.maturity : MATURITY_ADULT) > cap) return false;
    if (t.availableFrom > 0 && req.now < t.availableFrom) return false;
    if (t.availableUntil > 0 && req.now >= t.availableUntil) return false;
    return true;
  };
  return { ok, seen };
}

/**
 * The home screen of a profile: "Top picks for you", "Because you watched
 * X" for its latest liked titles, "Trending in <genre>" for its favourite
 * genres and "Popular"; a profile with no history gets "Popular" and the
 * audience's favourite genres. Every title passes `eligibility`.
 */
export function buildRows(model: TasteModel, req: RowRequest): Row[] {
  const { ok, seen } = eligibility(model, req);
  const fresh = (item: number) => ok(item) && !seen.has(item);
  const take = (ranked: Iterable<Scored>, keep: (item: number) => boolean) => {
    const items: Row["items"] = [];
    for (const { item, score } of ranked) {
      if (!keep(item)) continue;
      items.push({ contentId: model.contentIdOf(item), score });
      if (items.length >= req.itemsPerRow) break;
    }
    return items;
  };
  const ranked = (list: readonly number[]) =>
    (function* () {
      for (let r = 0; r < list.length; r++) yield { item: list[r] as number, score: list.length - r };
    })();

  const rows: Row[] = [];
  const push = (row: Row) => {
    if (row.items.length > 0 && rows.length < req.maxRows) rows.push(row);
  };
  const p = model.profile(req.profileId);
  const liked =
    p === undefined
      ? []
      : [...p.items.keys()]
          .filter((k) => (p.weights[k] as number) > 0)
          .map((k) => ({ item: p.items[k] as number, k }));

  if (p !== undefined && liked.length > 0) {
    push({
      kind: "top-picks",
      title: "Top picks for you",
      items: take(model.scoreForProfile(req.profileId), fresh),
    });
    const recent = [...liked].sort(
      (a, b) => (p.times[b.k] as number) - (p.times[a.k] as number) || a.item - b.item,
    );
    for (const { item } of recent.slice(0, BECAUSE_ROWS)) {
      const t = model.title(item);
      if (t === undefined) continue;
      push({
        kind: "because-you-watched",
        title: `Because you watched ${t.title}`,
        evidenceContentId: t.contentId,
        items: take(model.neighbours(item), fresh),
      });
    }
    for (const genre of favouriteGenres(model, req.profileId).slice(0, GENRE_ROWS)) {
      push({
        kind: "trending-in-genre",
        title: `Trending in ${model.genreName(genre)}`,
        evidenceGenreId: genre,
        items: take(ranked(model.trendingInGenre(genre)), fresh),
      });
    }
    push({ kind: "popular", title: "Popular on Marquee", items: take(ranked(model.popular()), fresh) });
  } else {
    push({ kind: "popular", title: "Popular on Marquee", items: take(ranked(model.popular()), ok) });
    for (const genre of model.popularGenres().slice(0, GENRE_ROWS + 1)) {
      push({
        kind: "trending-in-genre",
        title: `Trending in ${model.genreName(genre)}`,
        evidenceGenreId: genre,
        items: take(ranked(model.trendingInGenre(genre)), ok),
      });
    }
  }
  return rows;
}

/** Genres a profile likes, by the weight of its liked titles (split over each title's genres). */
function favouriteGenres(model: TasteModel, profileId: string): string[] {
  const p = model.profile(profileId);
  if (p === undefined) return [];
  const weight = new Map<string, number>();
  p.items.forEach((item, k) => {
    const w = p.weights[k] as number;
    const genres = model.title(item)?.genreIds ?? [];
    if (w <= 0 || genres.length === 0) return;
    for (const g of genres) weight.set(g, (weight.get(g) ?? 0) + w / genres.length);
  });
  return [...weight.keys()].sort((a, b) => (weight.get(b) ?? 0) - (weight.get(a) ?? 0) || a.localeCompare(b));
}

/** Titles similar to one, filtered like the rows (and without the title itself). */
export function similarTo(
  model: TasteModel,
  item: number,
  req: Pick<RowRequest, "profileId" | "maturityCap" | "now"> & { pageSize: number },
): { contentId: string; score: number }[] {
  const { ok } = eligibility(model, req);
  const out: { contentId: string; score: number }[] = [];
  for (const { item: j, score } of model.neighbours(item)) {
    if (j === item || !ok(j)) continue;
    out.push({ contentId: model.contentIdOf(j), score });
    if (out.length >= req.pageSize) break;
  }
  return out;
}
