/**
 * A generated catalog and audience with planted tastes: every profile has
 * favourite genres and favourite actors; what it picks is a mix of those
 * tastes and plain popularity, and how it ends (completed and liked, or
 * abandoned and disliked) follows its affinity for the title. A recommender
 * that learns the tastes should beat popularity on it; one that cannot, won't.
 */

import { pick, seededRandom } from "@marquee/kit";
import type { CatalogTitle, Interaction } from "@marquee/recommendation/model/types";
import { blankInteraction } from "@marquee/recommendation/store";
import { gumbel } from "./random.js";

export const GENRES = [
  "action",
  "adventure",
  "animation",
  "comedy",
  "crime",
  "documentary",
  "drama",
  "family",
  "fantasy",
  "horror",
  "mystery",
  "romance",
  "science-fiction",
  "thriller",
  "war",
  "western",
];

const WORDS =
  "river storm city night empire garden shadow signal winter harbor machine crown desert orbit letter island secret frontier engine mirror".split(
    " ",
  );

export interface PlantedOptions {
  titles: number;
  profiles: number;
  seed: number;
  /** Mean interactions per profile. */
  meanInteractions: number;
  actors?: number;
  /** Every `every`-th profile is heavy: it has `interactions` interactions. */
  heavy?: { every: number; interactions: number };
}

/** Deterministic UUID-shaped ids (valid for the service's uuid rules). */
export const contentIdOf = (n: number) => `c0000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
export const profileIdOf = (n: number) => `a0000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;

export interface Catalog {
  titles: CatalogTitle[];
  /** Cumulative popularity for sampling. */
  cumulative: Float64Array;
  byGenre: Map<string, number[]>;
  byActor: Map<string, number[]>;
  actors: string[];
}

export function plantedCatalog(opts: PlantedOptions): Catalog {
  const random = seededRandom(opts.seed);
  const actors = Array.from(
    { length: opts.actors ?? Math.max(60, Math.round(opts.titles / 4)) },
    (_, i) => `Actor ${i}`,
  );
  const titles: CatalogTitle[] = [];
  const byGenre = new Map<string, number[]>();
  const byActor = new Map<string, number[]>();
  const cumulative = new Float64Array(opts.titles);
  let total = 0;
  for (let n = 0; n < opts.titles; n++) {
    const genres = new Set<string>([pick(random, GENRES)]);
    if (random() < 0.5) genres.add(pick(random, GENRES));
    const cast = new Set<string>();
    while (cast.size < 4) cast.add(pick(random, actors));
    // Zipf-like popularity: a few hits, a long tail.
    const popularity = 1 / (1 + n * 0.05) ** 0.9;
    total += popularity;
    cumulative[n] = total;
    const title: CatalogTitle = {
      contentId: contentIdOf(n),
      title: `The ${pick(random, WORDS)} ${pick(random, WORDS)} ${n}`,
      genreIds: [...genres],
      cast: [...cast],
      synopsis: `${pick(random, WORDS)} ${pick(random, WORDS)} ${pick(random, WORDS)}`,
      maturity: 1 + Math.floor(random() * 4),
      published: true,
      visibilityTime: 0,
      availableFrom: 0,
      availableUntil: 0,
      popularity: popularity * 100,
    };
    titles.push(title);
    for (const g of genres) (byGenre.get(g) ?? byGenre.set(g, []).get(g))?.push(n);
    for (const a of cast) (byActor.get(a) ?? byActor.set(a, []).get(a))?.push(n);
  }
  return { titles, cumulative, byGenre, byActor, actors };
}

/** One profile's interactions, generated from its planted tastes. */
export function* plantedProfiles(catalog: Catalog, opts: PlantedOptions): Generator<Interaction[]> {
  const random = seededRandom(opts.seed * 7919 + 1);
  const total = catalog.cumulative[catalog.cumulative.length - 1] as number;
  const popularPick = () => {
    const x = random() * total;
    let lo = 0;
    let hi = catalog.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((catalog.cumulative[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  for (let u = 0; u < opts.profiles; u++) {
    const favGenres = new Set([pick(random, GENRES), pick(random, GENRES)]);
    const favActors = new Set(Array.from({ length: 3 }, () => pick(random, catalog.actors)));
    const affinity = (n: number) => {
      const t = catalog.titles[n] as CatalogTitle;
      let a = 0;
      for (const g of t.genreIds) if (favGenres.has(g)) a += 1.2;
      for (const c of t.cast) if (favActors.has(c)) a += 1;
      return a;
    };
    const heavy = opts.heavy !== undefined && u % opts.heavy.every === opts.heavy.every - 1;
    const count = heavy
      ? Math.min(catalog.titles.length, opts.heavy?.interactions ?? 0)
      : Math.max(3, Math.round(opts.meanInteractions * (0.4 + 1.2 * random())));
    const chosen = new Set<number>();
    for (let tries = 0; chosen.size < count && tries < count * 20; tries++) {
      const r = random();
      let n: number;
      if (r < 0.5) {
        // Taste-driven: a title of a favourite genre, popular ones more often.
        const list = catalog.byGenre.get(pick(random, [...favGenres])) ?? [];
        if (list.length === 0) continue;
        let best = -Infinity;
        n = list[0] as number;
        for (let k = 0; k < 3; k++) {
          const cand = pick(random, list);
          const key = Math.log((catalog.titles[cand] as CatalogTitle).popularity) + gumbel(random);
          if (key > best) {
            best = key;
            n = cand;
          }
        }
      } else if (r < 0.65) {
        n = pick(random, catalog.byActor.get(pick(random, [...favActors])) ?? [0]);
      } else {
        n = popularPick();
      }
      chosen.add(n);
    }
    const profileId = profileIdOf(u);
    let time = Date.UTC(2026, 0, 1) + Math.floor(random() * 86_400_000 * 30);
    const out: Interaction[] = [];
    for (const n of chosen) {
      time += Math.floor(random() * 86_400_000);
      const a = affinity(n);
      const likeP = 1 / (1 + Math.exp(-2 * (a - 0.8)));
      const liked = random() < likeP;
      const rated = random() < 0.35;
      const i: Interaction = { ...blankInteraction(profileId, contentIdOf(n)), viewTime: time };
      if (liked) {
        i.viewFraction = 1;
        i.completed = true;
        if (rated) i.rating = a >= 2 ? 3 : 2;
      } else if (random() < 0.6) {
        i.viewFraction = 0.1;
        i.abandoned = true;
        if (rated) i.rating = 1;
      } else {
        i.viewFraction = 0.5;
        if (rated && random() < 0.5) i.rating = 1;
      }
      if (i.rating !== 0) i.ratingTime = time;
      out.push(i);
    }
    yield out;
  }
}
