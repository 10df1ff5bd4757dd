import { ContentIndex } from "./content-features.js";
import type { CatalogTitle } from "./types.js";

export interface ModelOptions {
  /** Neighbours kept per title. */
  neighbours?: number;
  /** Shrinkage λ: a similarity seen in n co-rating profiles is scaled by n / (n + λ). */
  shrinkage?: number;
  /** Weight of content similarity next to collaborative similarity. */
  contentWeight?: number;
  /** Half-life of the trending score. */
  trendHalfLifeMs?: number;
  /** How stale the popular and trending rankings may get (0: always fresh). */
  rankingTtlMs?: number;
  /**
   * How long a title's neighbour list may be served after a pair of it
   * changed (0: recomputed on the next read), so a burst of events does not
   * put recomputation on the request path.
   */
  neighbourTtlMs?: number;
  /** Reference time of the trending score (default: now). */
  now?: number;
}

/** A profile's side of the model: the titles it interacted with and how much it liked each. */
export interface ProfileVector {
  items: number[];
  weights: number[];
  completed: boolean[];
  times: number[];
}

export interface Scored {
  item: number;
  score: number;
}

const EMPTY_NEIGHBOURS: Scored[] = [];

/**
 * Item-item collaborative filtering with shrinkage, blended with content
 * similarity, kept exactly up to date one interaction at a time.
 *
 * For every pair of titles it keeps Σ w_ui·w_uj over the profiles that
 * interacted with both (dense, titles × titles) and how many such profiles
 * there are; setting one interaction changes only the pairs of that profile,
 * so an update costs O(titles of the profile) and removing a profile takes
 * away exactly what it added. Neighbour lists are derived lazily from those
 * sums and cached until a pair of the title changes.
 */
export class TasteModel {
  readonly #k: number;
  readonly #lambda: number;
  readonly #gamma: number;
  readonly #tau: number;
  readonly #ttl: number;
  readonly #neighbourTtl: number;
  readonly #ref: number;

  readonly #ids: string[] = [];
  readonly #index = new Map<string, number>();
  #cap = 0;
  #dot = new Float64Array(0);
  #cnt = new Float32Array(0);
  #norm2 = new Float64Array(0);
  #positives = new Float64Array(0);
  #trend = new Float64Array(0);
  #neighbours: (Scored[] | undefined)[] = [];
  /** 1 when a pair of the title changed since its neighbours were computed. */
  #stale = new Uint8Array(0);
  #computedAt = new Float64Array(0);
  #refreshCursor = 0;
  #scratch = new Float64Array(0);

  readonly #profiles = new Map<string, ProfileVector>();
  readonly #titles = new Map<number, CatalogTitle>();
  readonly #genreNames = new Map<string, string>();
  #content: ContentIndex | undefined;

  #version = 0;
  #rankings:
    | { version: number; at: number; popular: number[]; byGenre: Map<string, number[]>; genres: string[] }
    | undefined;

  constructor(opts: ModelOptions = {}) {
    this.#k = opts.neighbours ?? 50;
    this.#lambda = opts.shrinkage ?? 20;
    this.#gamma = opts.contentWeight ?? 0.1;
    this.#tau = (opts.trendHalfLifeMs ?? 3 * 86_400_000) / Math.LN2;
    this.#ttl = opts.rankingTtlMs ?? 0;
    this.#neighbourTtl = opts.neighbourTtlMs ?? 0;
    this.#ref = opts.now ?? Date.now();
    this.#grow(256);
  }

  // ---- titles ----

  get titleCount(): number {
    return this.#ids.length;
  }

  get profileCount(): number {
    return this.#profiles.size;
  }

  indexOf(contentId: string): number | undefined {
    return this.#index.get(contentId);
  }

  contentIdOf(item: number): string {
    return this.#ids[item] as string;
  }

  #item(contentId: string): number {
    let i = this.#index.get(contentId);
    if (i === undefined) {
      i = this.#ids.length;
      if (i >= this.#cap) this.#grow(this.#cap * 2);
      this.#ids.push(contentId);
      this.#index.set(contentId, i);
      this.#neighbours.push(undefined);
    }
    return i;
  }

  #grow(cap: number): void {
    const old = this.#cap;
    const dot = new Float64Array(cap * cap);
    const cnt = new Float32Array(cap * cap);
    for (let i = 0; i < old; i++) {
      dot.set(this.#dot.subarray(i * old, (i + 1) * old), i * cap);
      cnt.set(this.#cnt.subarray(i * old, (i + 1) * old), i * cap);
    }
    const widen = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.#dot = dot;
    this.#cnt = cnt;
    this.#norm2 = widen(this.#norm2);
    this.#positives = widen(this.#positives);
    this.#trend = widen(this.#trend);
    this.#scratch = new Float64Array(cap);
    const stale = new Uint8Array(cap);
    stale.set(this.#stale);
    this.#stale = stale;
    this.#computedAt = widen(this.#computedAt);
    this.#cap = cap;
  }

  /** Adds or replaces a title's catalog facts. */
  setTitle(title: CatalogTitle): void {
    const i = this.#item(title.contentId);
    const before = this.#titles.get(i);
    this.#titles.set(i, title);
    this.#version++;
    // Visibility, maturity or availability only filter at serving time; the
    // similarities change only with the words, genres and cast.
    if (before !== undefined && contentKey(before) === contentKey(title)) return;
    this.#content = undefined;
    this.#stale.fill(1);
  }

  title(item: number): CatalogTitle | undefined {
    return this.#titles.get(item);
  }

  titleOf(contentId: string): CatalogTitle | undefined {
    const i = this.#index.get(contentId);
    return i === undefined ? undefined : this.#titles.get(i);
  }

  setGenreName(genreId: string, name: string): void {
    this.#genreNames.set(genreId, name);
  }

  /** Display name of a genre: the catalog's, else the slug in title case. */
  genreName(genreId: string): string {
    return (
      this.#genreNames.get(genreId) ??
      genreId
        .split("-")
        .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
        .join(" ")
    );
  }

  // ---- interactions ----

  profile(profileId: string): ProfileVector | undefined {
    return this.#profiles.get(profileId);
  }

  /**
   * Sets what a profile thinks of a title (weight 0 removes the title from
   * the profile). Idempotent: setting the same value twice changes nothing.
   */
  setInteraction(
    profileId: string,
    contentId: string,
    weight: number,
    completed: boolean,
    time: number,
  ): void {
    const i = this.#item(contentId);
    let p = this.#profiles.get(profileId);
    if (p === undefined) {
      if (weight === 0 && !completed) return;
      p = { items: [], weights: [], completed: [], times: [] };
      this.#profiles.set(profileId, p);
    }
    const at = p.items.indexOf(i);
    const old = at < 0 ? 0 : (p.weights[at] as number);
    const oldTime = at < 0 ? 0 : (p.times[at] as number);
    if (old !== weight) this.#changePairs(p, i, at, old, weight);
    this.#trend[i] = (this.#trend[i] as number) - this.#trendOf(old, oldTime) + this.#trendOf(weight, time);
    this.#positives[i] = (this.#positives[i] as number) - (old > 0 ? 1 : 0) + (weight > 0 ? 1 : 0);
    if (weight === 0 && !completed) {
      if (at >= 0) {
        for (const a of [p.items, p.weights, p.completed, p.times] as unknown[][]) a.splice(at, 1);
      }
      if (p.items.length === 0) this.#profiles.delete(profileId);
    } else if (at < 0) {
      p.items.push(i);
      p.weights.push(weight);
      p.completed.push(completed);
      p.times.push(time);
    } else {
      p.weights[at] = weight;
      p.completed[at] = completed;
      p.times[at] = time;
    }
    this.#version++;
  }

  /**
   * Adds a whole profile at once (model rebuilds): the same result as
   * setting each interaction, with the pair sums filled row by row, which is
   * several times faster on a large catalog. Falls back to one at a time for
   * a profile the model already has.
   */
  loadProfile(
    profileId: string,
    entries: { contentId: string; weight: number; completed: boolean; time: number }[],
  ): void {
    if (this.#profiles.has(profileId)) {
      for (const e of entries) this.setInteraction(profileId, e.contentId, e.weight, e.completed, e.time);
      return;
    }
    const p: ProfileVector = { items: [], weights: [], completed: [], times: [] };
    const seen = new Set<number>();
    for (const e of entries) {
      if (e.weight === 0 && !e.completed) continue;
      const i = this.#item(e.contentId);
      if (seen.has(i)) continue;
      seen.add(i);
      p.items.push(i);
      p.weights.push(e.weight);
      p.completed.push(e.completed);
      p.times.push(e.time);
    }
    if (p.items.length === 0) return;
    this.#profiles.set(profileId, p);
    const cap = this.#cap;
    const n = p.items.length;
    for (let a = 0; a < n; a++) {
      const i = p.items[a] as number;
      const wi = p.weights[a] as number;
      const time = p.times[a] as number;
      this.#trend[i] = (this.#trend[i] as number) + this.#trendOf(wi, time);
      if (wi > 0) this.#positives[i] = (this.#positives[i] as number) + 1;
      if (wi === 0) continue;
      this.#norm2[i] = (this.#norm2[i] as number) + wi * wi;
      this.#stale[i] = 1;
      const row = i * cap;
      for (let b = 0; b < n; b++) {
        const wj = p.weights[b] as number;
        if (b === a || wj === 0) continue;
        const at = row + (p.items[b] as number);
        this.#dot[at] = (this.#dot[at] as number) + wi * wj;
        this.#cnt[at] = (this.#cnt[at] as number) + 1;
      }
    }
    this.#version++;
  }

  /** Takes away everything a profile contributed. */
  removeProfile(profileId: string): void {
    const p = this.#profiles.get(profileId);
    if (p === undefined) return;
    for (const item of [...p.items]) this.setInteraction(profileId, this.contentIdOf(item), 0, false, 0);
    this.#profiles.delete(profileId);
  }

  #trendOf(weight: number, time: number): number {
    return weight > 0 ? Math.exp((time - this.#ref) / this.#tau) : 0;
  }

  #changePairs(p: ProfileVector, i: number, at: number, old: number, weight: number): void {
    const cap = this.#cap;
    const delta = weight - old;
    const cntDelta = (old !== 0 ? -1 : 0) + (weight !== 0 ? 1 : 0);
    for (let k = 0; k < p.items.length; k++) {
      if (k === at) continue;
      const j = p.items[k] as number;
      const wj = p.weights[k] as number;
      if (wj === 0) continue;
      this.#dot[i * cap + j] = (this.#dot[i * cap + j] as number) + delta * wj;
      this.#dot[j * cap + i] = (this.#dot[j * cap + i] as number) + delta * wj;
      if (cntDelta !== 0) {
        this.#cnt[i * cap + j] = (this.#cnt[i * cap + j] as number) + cntDelta;
        this.#cnt[j * cap + i] = (this.#cnt[j * cap + i] as number) + cntDelta;
      }
      this.#stale[j] = 1;
    }
    this.#norm2[i] = Math.max(0, (this.#norm2[i] as number) + weight * weight - old * old);
    this.#stale[i] = 1;
  }

  // ---- similarity ----

  /** Collaborative similarity of two titles (cosine with shrinkage), 0 when no profile has both. */
  collaborativeSimilarity(a: number, b: number): number {
    const c = this.#cnt[a * this.#cap + b] as number;
    const na = this.#norm2[a] as number;
    const nb = this.#norm2[b] as number;
    if (c <= 0 || na <= 0 || nb <= 0) return 0;
    return ((this.#dot[a * this.#cap + b] as number) / Math.sqrt(na * nb)) * (c / (c + this.#lambda));
  }

  /** The most similar titles to a title, best first (collaborative and content similarity blended). */
  neighbours(item: number): Scored[] {
    if (item >= this.#ids.length) return EMPTY_NEIGHBOURS;
    const cached = this.#neighbours[item];
    if (
      cached !== undefined &&
      (this.#stale[item] === 0 || Date.now() - (this.#computedAt[item] as number) < this.#neighbourTtl)
    ) {
      return cached;
    }
    const n = this.#ids.length;
    const row = this.#scratch;
    row.fill(0, 0, n);
    if ((this.#norm2[item] as number) > 0) {
      for (let j = 0; j < n; j++) row[j] = this.collaborativeSimilarity(item, j);
    }
    this.#contentIndex().addRow(item, row, this.#gamma);
    row[item] = 0;
    // Top k by insertion into a short sorted list: most titles fail the first comparison.
    const top: Scored[] = [];
    for (let j = 0; j < n; j++) {
      const s = row[j] as number;
      if (s <= 1e-9) continue;
      const candidate = { item: j, score: s };
      if (top.length === this.#k && this.byScore(candidate, top[top.length - 1] as Scored) >= 0) continue;
      let at = top.length;
      while (at > 0 && this.byScore(candidate, top[at - 1] as Scored) < 0) at--;
      top.splice(at, 0, candidate);
      if (top.length > this.#k) top.pop();
    }
    this.#neighbours[item] = top;
    this.#computedAt[item] = Date.now();
    this.#stale[item] = 0;
    return top;
  }

  /**
   * Recomputes stale neighbour lists that are in use, for at most `budgetMs`,
   * resuming where the last call stopped; run in the background so requests
   * seldom pay for recomputation. Returns how many lists it refreshed.
   */
  refreshStale(budgetMs: number): number {
    const n = this.#ids.length;
    const deadline = performance.now() + budgetMs;
    let refreshed = 0;
    for (let k = 0; k < n; k++) {
      const i = (this.#refreshCursor + k) % n;
      if (this.#stale[i] !== 1 || this.#neighbours[i] === undefined) continue;
      this.#neighbours[i] = undefined;
      this.neighbours(i);
      refreshed++;
      if (performance.now() > deadline) {
        this.#refreshCursor = (i + 1) % n;
        return refreshed;
      }
    }
    return refreshed;
  }

  #contentIndex(): ContentIndex {
    this.#content ??= new ContentIndex([...this.#titles].map(([index, title]) => ({ index, title })));
    return this.#content;
  }

  /**
   * Scores of titles for a profile: Σ over its titles of (its weight ×
   * similarity), so liked titles pull their neighbours up and disliked ones
   * push theirs down. Titles the profile already has are left out.
   */
  scoreForProfile(profileId: string): Scored[] {
    const p = this.#profiles.get(profileId);
    if (p === undefined) return [];
    const scores = new Map<number, number>();
    for (let k = 0; k < p.items.length; k++) {
      const w = p.weights[k] as number;
      if (w === 0) continue;
      for (const { item, score } of this.neighbours(p.items[k] as number)) {
        scores.set(item, (scores.get(item) ?? 0) + w * score);
      }
    }
    for (const i of p.items) scores.delete(i);
    const out: Scored[] = [];
    for (const [item, score] of scores) if (score > 0) out.push({ item, score });
    return out.sort(this.byScore);
  }

  /**
   * Best first; scores equal to nine decimals (sums taken in another order
   * after a rebuild) fall back to the content id, so a rebuilt model ranks
   * exactly like the incremental one.
   */
  readonly byScore = (a: Scored, b: Scored): number =>
    Math.round(b.score * 1e9) - Math.round(a.score * 1e9) || cmpId(this.#ids, a.item, b.item);

  // ---- popularity ----

  /** Profiles that like the title (positive weight). */
  positives(item: number): number {
    return this.#positives[item] as number;
  }

  /** Time-decayed count of recent positive interactions (relative units). */
  trend(item: number): number {
    return this.#trend[item] as number;
  }

  #freshRankings() {
    const r = this.#rankings;
    if (r !== undefined && (r.version === this.#version || Date.now() - r.at < this.#ttl)) return r;
    const catalog = [...this.#titles.keys()];
    const pop = (i: number) => (this.#positives[i] as number) + 1e-3 * (this.#titles.get(i)?.popularity ?? 0);
    const popular = catalog.sort((a, b) => pop(b) - pop(a) || cmpId(this.#ids, a, b));
    const byGenre = new Map<string, number[]>();
    const genreWeight = new Map<string, number>();
    for (const i of popular) {
      for (const g of this.#titles.get(i)?.genreIds ?? []) {
        let list = byGenre.get(g);
        if (list === undefined) {
          list = [];
          byGenre.set(g, list);
        }
        list.push(i);
        genreWeight.set(g, (genreWeight.get(g) ?? 0) + pop(i));
      }
    }
    const trendScore = (i: number) => (this.#trend[i] as number) + 1e-6 * pop(i);
    for (const list of byGenre.values())
      list.sort((a, b) => trendScore(b) - trendScore(a) || cmpId(this.#ids, a, b));
    const genres = [...genreWeight.keys()].sort(
      (a, b) => (genreWeight.get(b) ?? 0) - (genreWeight.get(a) ?? 0) || a.localeCompare(b),
    );
    this.#rankings = { version: this.#version, at: Date.now(), popular, byGenre, genres };
    return this.#rankings;
  }

  /** Catalog titles, most liked first (the catalog's popularity breaks ties). */
  popular(): readonly number[] {
    return this.#freshRankings().popular;
  }

  /** Catalog titles of a genre, trending first. */
  trendingInGenre(genreId: string): readonly number[] {
    return this.#freshRankings().byGenre.get(genreId) ?? [];
  }

  /** Genres by how much the whole audience likes them. */
  popularGenres(): readonly string[] {
    return this.#freshRankings().genres;
  }
}

function contentKey(t: CatalogTitle): string {
  return JSON.stringify([t.title, t.synopsis, t.genreIds, t.cast]);
}

function cmpId(ids: string[], a: number, b: number): number {
  const x = ids[a] as string;
  const y = ids[b] as string;
  return x < y ? -1 : x > y ? 1 : 0;
}
