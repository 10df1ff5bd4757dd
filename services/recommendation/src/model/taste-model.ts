import { Catalog } from "./catalog.js";
import { interactionMatrix, noPause, type Pause } from "./interactions.js";
import { type ItemWeights, NO_WEIGHTS, trainItemWeights, type WeightOptions } from "./item-weights.js";
import { Popularity } from "./popularity.js";
import { Profiles, type ProfileVector } from "./profiles.js";
import { Ranker, type Scored } from "./ranking.js";
import type { CatalogTitle } from "./types.js";

export interface ModelOptions {
  /** Titles each title's weights come from, and neighbours listed per title. */
  neighbours?: number;
  /** Co-occurrences kept per title while training, as a multiple of `neighbours`. */
  candidateFactor?: number;
  /** L2 penalty λ as a multiple of a title's mean audience. */
  l2?: number;
  /** Weight of content similarity next to the learned weights. */
  contentWeight?: number;
  /** Half-life of the trending score. */
  trendHalfLifeMs?: number;
  /** How stale the popular and trending rankings may get (0: always fresh). */
  rankingTtlMs?: number;
  /** Reference time of the trending score (default: now). */
  now?: number;
}

export type { ProfileVector } from "./profiles.js";
export type { Scored } from "./ranking.js";

/** An interaction enters training as 1 when the profile liked the title (see signals.ts), else not at all. */
const LIKED = 1;
const likedSignal = (weight: number): number => (weight >= LIKED ? 1 : 0);
/** Profiles with fewer likes than this are newcomers: content and trending carry their picks. */
const NEWCOMER_LIKES = 3;
const CONTENT_RECENT = 20;

/**
 * The recommender: the catalog, every profile's interactions, audience
 * popularity, and learned title × title weights (EASE restricted to each
 * title's neighbourhood, see item-weights.ts) blended with content similarity.
 *
 * Interactions and popularity change at once with every event; the learned
 * weights are retrained from the profiles as a whole (`train`), on a
 * schedule and after erasures, without stopping reads.
 */
export class TasteModel {
  readonly #weightOptions: WeightOptions;
  readonly #k: number;
  readonly #gamma: number;
  readonly #catalog = new Catalog();
  readonly #profiles = new Profiles();
  readonly #popularity: Popularity;
  readonly #ranker = new Ranker(this.#catalog.compareIds, () => this.#catalog.idOrder());
  #weights: ItemWeights = NO_WEIGHTS;
  #neighbours = new Map<number, Scored[]>();
  #scratch = new Float64Array(0);

  constructor(opts: ModelOptions = {}) {
    this.#k = opts.neighbours ?? 128;
    this.#weightOptions = {
      neighbours: this.#k,
      candidates: this.#k * (opts.candidateFactor ?? 4),
      l2: opts.l2 ?? 8,
    };
    this.#gamma = opts.contentWeight ?? 0.3;
    this.#popularity = new Popularity(this.#catalog, {
      trendHalfLifeMs: opts.trendHalfLifeMs ?? 3 * 86_400_000,
      rankingTtlMs: opts.rankingTtlMs ?? 0,
      now: opts.now ?? Date.now(),
    });
  }

  // ---- titles ----

  get titleCount(): number {
    return this.#catalog.size;
  }

  get profileCount(): number {
    return this.#profiles.size;
  }

  indexOf(contentId: string): number | undefined {
    return this.#catalog.indexOf(contentId);
  }

  contentIdOf(item: number): string {
    return this.#catalog.contentIdOf(item);
  }

  setTitle(title: CatalogTitle): void {
    if (this.#catalog.setTitle(title)) this.#neighbours = new Map();
    this.#popularity.touch();
  }

  title(item: number): CatalogTitle | undefined {
    return this.#catalog.title(item);
  }

  titleOf(contentId: string): CatalogTitle | undefined {
    return this.#catalog.titleOf(contentId);
  }

  setGenreName(genreId: string, name: string): void {
    this.#catalog.setGenreName(genreId, name);
  }

  genreName(genreId: string): string {
    return this.#catalog.genreName(genreId);
  }

  // ---- interactions ----

  profile(profileId: string): ProfileVector | undefined {
    return this.#profiles.get(profileId);
  }

  /**
   * Sets what a profile thinks of a title (weight 0, not completed, removes the
   * title from the profile). Idempotent: setting the same value twice changes nothing.
   */
  setInteraction(
    profileId: string,
    contentId: string,
    weight: number,
    completed: boolean,
    time: number,
  ): void {
    const item = this.#catalog.item(contentId);
    const old = this.#profiles.set(profileId, { item, weight, completed, time });
    this.#popularity.change(item, old.weight, old.time, weight, time);
  }

  /** Replaces a whole profile in one step (rebuilds, bulk loads): linear in its interactions. */
  loadProfile(
    profileId: string,
    entries: readonly { contentId: string; weight: number; completed: boolean; time: number }[],
  ): void {
    const before = this.#profiles.load(
      profileId,
      entries.map((e) => ({ item: this.#catalog.item(e.contentId), ...e })),
    );
    this.#untally(before);
    const now = this.#profiles.get(profileId);
    if (now === undefined) return;
    for (let k = 0; k < now.items.length; k++) {
      this.#popularity.change(now.items[k] as number, 0, 0, now.weights[k] as number, now.times[k] as number);
    }
  }

  /** Takes away the profile's interactions; its share of the learned weights goes at the next `train`. */
  removeProfile(profileId: string): void {
    this.#untally(this.#profiles.remove(profileId));
  }

  #untally(p: ProfileVector | undefined): void {
    if (p === undefined) return;
    for (let k = 0; k < p.items.length; k++) {
      this.#popularity.change(p.items[k] as number, p.weights[k] as number, p.times[k] as number, 0, 0);
    }
  }

  // ---- learned weights ----

  /** Learns the title × title weights from the profiles as they are now (see item-weights.ts). */
  async trainWeights(pause: Pause = noPause): Promise<ItemWeights> {
    const x = await interactionMatrix([...this.#profiles.values()], this.#catalog.size, likedSignal, pause);
    return trainItemWeights(x, this.#weightOptions, pause);
  }

  /** Serves with these weights from now on. */
  useWeights(weights: ItemWeights): void {
    this.#weights = weights;
    this.#neighbours = new Map();
  }

  async train(pause: Pause = noPause): Promise<ItemWeights> {
    const weights = await this.trainWeights(pause);
    this.useWeights(weights);
    return weights;
  }

  /** The learned weight of title b for a profile that has title a (0 when none was learned). */
  collaborativeWeight(a: number, b: number): number {
    const w = this.#weights;
    if (a >= w.titles) return 0;
    for (let k = w.ptr[a] as number; k < (w.ptr[a + 1] as number); k++) {
      if (w.targets[k] === b) return w.weights[k] as number;
    }
    return 0;
  }

  /** Bytes of the learned weights and the profiles' interactions. */
  get bytes(): number {
    return this.#weights.targets.length * 8 + this.#weights.ptr.length * 4 + this.#profiles.bytes;
  }

  #row(): Float64Array {
    if (this.#scratch.length < this.#catalog.size) this.#scratch = new Float64Array(this.#catalog.size * 2);
    const row = this.#scratch;
    row.fill(0, 0, this.#catalog.size);
    return row;
  }

  /** Adds scale × the learned weights of `item`'s targets into row; returns its largest weight. */
  #addWeights(item: number, row: Float64Array, scale: number): number {
    const w = this.#weights;
    if (item >= w.titles) return 0;
    let max = 0;
    for (let k = w.ptr[item] as number; k < (w.ptr[item + 1] as number); k++) {
      const j = w.targets[k] as number;
      const b = w.weights[k] as number;
      row[j] = (row[j] as number) + scale * b;
      if (b > max) max = b;
    }
    return max;
  }

  /**
   * The titles most worth watching after one, best first: its learned weights
   * (scaled so its strongest is 1) blended with content similarity, so a title
   * nobody watched yet still has neighbours.
   */
  neighbours(item: number): Scored[] {
    if (item >= this.#catalog.size) return [];
    const cached = this.#neighbours.get(item);
    if (cached !== undefined) return cached;
    const row = this.#row();
    const w = this.#weights;
    let max = 0;
    if (item < w.titles) {
      for (let k = w.ptr[item] as number; k < (w.ptr[item + 1] as number); k++) {
        max = Math.max(max, w.weights[k] as number);
      }
    }
    if (max > 0) this.#addWeights(item, row, 1 / max);
    this.#catalog.content().addRow(item, row, this.#gamma);
    row[item] = 0;
    const top: Scored[] = [];
    for (const s of this.#ranked(row)) {
      if (top.length === this.#k) break;
      top.push(s);
    }
    this.#neighbours.set(item, top);
    return top;
  }

  /**
   * Scores of titles for a profile, best first, leaving out titles it already
   * has: Σ over its liked titles of the learned weights, disliked ones
   * pulling their targets down, plus content similarity to its recent likes.
   * A newcomer (fewer than NEWCOMER_LIKES likes) leans on content and trend.
   */
  scoreForProfile(profileId: string): Iterable<Scored> {
    const p = this.#profiles.get(profileId);
    if (p === undefined) return [];
    const row = this.#row();
    let likes = 0;
    let scale = 0;
    for (let k = 0; k < p.items.length; k++) {
      const w = p.weights[k] as number;
      if (w < LIKED) continue;
      scale = Math.max(scale, this.#addWeights(p.items[k] as number, row, 1));
      likes++;
    }
    // Content similarity, in the learned weights' units, to the most recent likes.
    const recent = [...p.items.keys()]
      .filter((k) => (p.weights[k] as number) >= LIKED)
      .sort((a, b) => (p.times[b] as number) - (p.times[a] as number))
      .slice(0, CONTENT_RECENT);
    const contentScale = (likes < NEWCOMER_LIKES ? 1 : this.#gamma) * Math.max(scale, 1e-3);
    const content = this.#catalog.content();
    for (const k of recent) content.addRow(p.items[k] as number, row, contentScale);
    if (likes < NEWCOMER_LIKES) this.#addTrend(row, contentScale * 0.1);
    for (let k = 0; k < p.items.length; k++) row[p.items[k] as number] = 0;
    return this.#ranked(row);
  }

  /** Adds the trending score, scaled so the top title gets `scale`, to every title with a score. */
  #addTrend(row: Float64Array, scale: number): void {
    let max = 0;
    for (let j = 0; j < this.#catalog.size; j++) max = Math.max(max, this.#popularity.trend(j));
    if (max <= 0) return;
    for (let j = 0; j < this.#catalog.size; j++) {
      if ((row[j] as number) > 0) row[j] = (row[j] as number) + (scale * this.#popularity.trend(j)) / max;
    }
  }

  /** Titles with a positive score in `row`, best first (see ranking.ts). */
  #ranked(row: Float64Array): Iterable<Scored> {
    return this.#ranker.rank(row, this.#catalog.size);
  }

  /**
   * Best first; scores equal to nine decimals (sums taken in another order
   * after a rebuild) fall back to the content id, so a rebuilt model ranks
   * exactly like the incremental one.
   */
  readonly byScore = this.#ranker.compare;

  // ---- popularity ----

  positives(item: number): number {
    return this.#popularity.positives(item);
  }

  trend(item: number): number {
    return this.#popularity.trend(item);
  }

  popular(): readonly number[] {
    return this.#popularity.popular();
  }

  trendingInGenre(genreId: string): readonly number[] {
    return this.#popularity.trendingInGenre(genreId);
  }

  popularGenres(): readonly string[] {
    return this.#popularity.popularGenres();
  }
}
