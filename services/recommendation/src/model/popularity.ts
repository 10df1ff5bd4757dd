import type { Catalog } from "./catalog.js";

export interface PopularityOptions {
  /** Half-life of the trending score. */
  trendHalfLifeMs: number;
  /** How stale the rankings may get (0: always fresh). */
  rankingTtlMs: number;
  /** Reference time of the trending score. */
  now: number;
}

interface Rankings {
  version: number;
  at: number;
  popular: number[];
  byGenre: Map<string, number[]>;
  genres: string[];
}

/**
 * How much the whole audience likes each title, kept exactly up to date one
 * interaction at a time: profiles that like it, and a trending score (likes
 * decayed with a half-life). Rankings over the catalog are derived from them
 * and cached for a bounded time.
 */
export class Popularity {
  readonly #catalog: Catalog;
  readonly #tau: number;
  readonly #ttl: number;
  readonly #ref: number;
  #positives = new Float64Array(256);
  #trend = new Float64Array(256);
  #version = 0;
  #rankings: Rankings | undefined;

  constructor(catalog: Catalog, opts: PopularityOptions) {
    this.#catalog = catalog;
    this.#tau = opts.trendHalfLifeMs / Math.LN2;
    this.#ttl = opts.rankingTtlMs;
    this.#ref = opts.now;
  }

  /** Takes one interaction's old weight out and its new one in. */
  change(item: number, oldWeight: number, oldTime: number, weight: number, time: number): void {
    if (item >= this.#positives.length) this.#grow(item + 1);
    this.#positives[item] =
      (this.#positives[item] as number) - (oldWeight > 0 ? 1 : 0) + (weight > 0 ? 1 : 0);
    this.#trend[item] =
      (this.#trend[item] as number) - this.#trendOf(oldWeight, oldTime) + this.#trendOf(weight, time);
    this.#version++;
  }

  /** Marks the rankings out of date (a title's facts changed). */
  touch(): void {
    this.#version++;
  }

  #grow(size: number): void {
    const cap = Math.max(size, this.#positives.length * 2);
    const widen = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.#positives = widen(this.#positives);
    this.#trend = widen(this.#trend);
  }

  #trendOf(weight: number, time: number): number {
    return weight > 0 ? Math.exp((time - this.#ref) / this.#tau) : 0;
  }

  /** Profiles that like the title (positive weight). */
  positives(item: number): number {
    return this.#positives[item] ?? 0;
  }

  /** Time-decayed count of recent positive interactions (relative units). */
  trend(item: number): number {
    return this.#trend[item] ?? 0;
  }

  #fresh(): Rankings {
    const r = this.#rankings;
    if (r !== undefined && (r.version === this.#version || Date.now() - r.at < this.#ttl)) return r;
    const catalog = this.#catalog;
    const pop = (i: number) => this.positives(i) + 1e-3 * (catalog.title(i)?.popularity ?? 0);
    const popular = [...catalog.known()].sort((a, b) => pop(b) - pop(a) || catalog.compareIds(a, b));
    const byGenre = new Map<string, number[]>();
    const genreWeight = new Map<string, number>();
    for (const i of popular) {
      for (const g of catalog.title(i)?.genreIds ?? []) {
        let list = byGenre.get(g);
        if (list === undefined) {
          list = [];
          byGenre.set(g, list);
        }
        list.push(i);
        genreWeight.set(g, (genreWeight.get(g) ?? 0) + pop(i));
      }
    }
    const trendScore = (i: number) => this.trend(i) + 1e-6 * pop(i);
    for (const list of byGenre.values())
      list.sort((a, b) => trendScore(b) - trendScore(a) || catalog.compareIds(a, b));
    const genres = [...genreWeight.keys()].sort(
      (a, b) => (genreWeight.get(b) ?? 0) - (genreWeight.get(a) ?? 0) || a.localeCompare(b),
    );
    this.#rankings = { version: this.#version, at: Date.now(), popular, byGenre, genres };
    return this.#rankings;
  }

  /** Catalog titles, most liked first (the catalog's popularity breaks ties). */
  popular(): readonly number[] {
    return this.#fresh().popular;
  }

  /** Catalog titles of a genre, trending first. */
  trendingInGenre(genreId: string): readonly number[] {
    return this.#fresh().byGenre.get(genreId) ?? [];
  }

  /** Genres by how much the whole audience likes them. */
  popularGenres(): readonly string[] {
    return this.#fresh().genres;
  }
}
