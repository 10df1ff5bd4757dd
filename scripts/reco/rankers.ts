/**
 * The rankers the evaluation compares, all trained on the same split:
 * the service's model, EASE^R and item-kNN (each tuned on a validation split
 * carved out of the training part, never on the test part), popularity and
 * random.
 */

import { seededRandom } from "@marquee/kit";
import { preference } from "@marquee/recommendation/model/signals";
import { type ModelOptions, TasteModel } from "@marquee/recommendation/model/taste-model";
import type { CatalogTitle, Interaction } from "@marquee/recommendation/model/types";
import { denseScores, easeFamily } from "./baselines/ease.js";
import { itemKnn, knnScores } from "./baselines/item-knn.js";
import {
  evaluate,
  groupByProfile,
  isPositive,
  type Ranker,
  type Split,
  splitByProfile,
  trainSets,
} from "./evaluate.js";

/** The training part as the baselines see it: titles by index and each profile's liked titles. */
export class TrainingData {
  readonly ids: string[];
  readonly index = new Map<string, number>();
  readonly rows: number[][] = [];
  readonly rowOf = new Map<string, number>();
  /** Title indices, most liked first (the catalog's popularity breaks ties). */
  readonly popular: number[];

  constructor(titles: readonly CatalogTitle[], train: readonly Interaction[]) {
    this.ids = titles.map((t) => t.contentId);
    this.ids.forEach((id, i) => {
      this.index.set(id, i);
    });
    const likes = new Float64Array(this.ids.length);
    for (const i of train) {
      const item = this.index.get(i.contentId);
      if (item === undefined || !isPositive(i)) continue;
      let row = this.rowOf.get(i.profileId);
      if (row === undefined) {
        row = this.rows.length;
        this.rowOf.set(i.profileId, row);
        this.rows.push([]);
      }
      this.rows[row]?.push(item);
      likes[item] = (likes[item] as number) + 1;
    }
    const prior = titles.map((t) => t.popularity);
    this.popular = this.ids
      .map((_, i) => i)
      .sort(
        (a, b) => (likes[b] as number) - (likes[a] as number) || (prior[b] as number) - (prior[a] as number),
      );
  }

  get titleCount(): number {
    return this.ids.length;
  }

  items(profileId: string): readonly number[] {
    const row = this.rowOf.get(profileId);
    return row === undefined ? [] : (this.rows[row] ?? []);
  }

  /** Fills a list up to k with the most popular titles not excluded. */
  fill(ranked: string[], exclude: ReadonlySet<string>, k: number): string[] {
    for (const i of this.popular) {
      if (ranked.length >= k) break;
      const id = this.ids[i] as string;
      if (!exclude.has(id) && !ranked.includes(id)) ranked.push(id);
    }
    return ranked;
  }

  /** The k best-scored titles (positive scores only), filled up with popular ones. */
  top(scores: Float64Array, exclude: ReadonlySet<string>, k: number): string[] {
    const best: number[] = [];
    for (let j = 0; j < scores.length; j++) {
      const s = scores[j] as number;
      if (!(s > 0) || exclude.has(this.ids[j] as string)) continue;
      if (best.length === k && s <= (scores[best[k - 1] as number] as number)) continue;
      let at = best.length;
      while (at > 0 && s > (scores[best[at - 1] as number] as number)) at--;
      best.splice(at, 0, j);
      if (best.length > k) best.pop();
    }
    return this.fill(
      best.map((j) => this.ids[j] as string),
      exclude,
      k,
    );
  }
}

export function popularityRanker(data: TrainingData): Ranker {
  return (_profileId, exclude, k) => data.fill([], exclude, k);
}

export function randomRanker(data: TrainingData, seed: number): Ranker {
  const random = seededRandom(seed + 1);
  return (_profileId, exclude, k) => {
    const out = new Set<string>();
    while (out.size < k && out.size < data.ids.length - exclude.size) {
      const id = data.ids[Math.floor(random() * data.ids.length)] as string;
      if (!exclude.has(id)) out.add(id);
    }
    return [...out];
  };
}

function scoreRanker(
  data: TrainingData,
  score: (items: readonly number[], out: Float64Array) => void,
): Ranker {
  const scores = new Float64Array(data.titleCount);
  return (profileId, exclude, k) => {
    score(data.items(profileId), scores);
    return data.top(scores, exclude, k);
  };
}

/** A validation split of the training part: the same rule, applied once more. */
export function validationSplit(split: Split, share: number, seed: number): Split {
  return splitByProfile(groupByProfile(split.train), share, seed + 101);
}

export interface Tuned<P> {
  best: P;
  /** Validation NDCG per candidate value. */
  tried: { value: P; ndcg: number }[];
  ms: number;
}

/** EASE^R with λ picked on the validation split. */
export function tuneEase(titles: readonly CatalogTitle[], validation: Split, grid: number[], k: number) {
  const started = performance.now();
  const data = new TrainingData(titles, validation.train);
  const family = easeFamily(data.rows, data.titleCount);
  const trainOf = trainSets(validation);
  const tried = grid.map((lambda) => {
    const b = family(lambda);
    const n = data.titleCount;
    const r = scoreRanker(data, (items, out) => denseScores(b, n, items, out));
    return { value: lambda, ndcg: evaluate("ease", validation, trainOf, r, k).ndcg };
  });
  const best = tried.reduce((a, b) => (b.ndcg > a.ndcg ? b : a)).value;
  return { best, tried, ms: performance.now() - started } satisfies Tuned<number>;
}

export function easeRanker(data: TrainingData, lambda: number): Ranker {
  const b = easeFamily(data.rows, data.titleCount)(lambda);
  return scoreRanker(data, (items, out) => denseScores(b, data.titleCount, items, out));
}

/** Item-kNN with its neighbourhood size picked on the validation split. */
export function tuneKnn(titles: readonly CatalogTitle[], validation: Split, grid: number[], k: number) {
  const started = performance.now();
  const data = new TrainingData(titles, validation.train);
  const trainOf = trainSets(validation);
  const tried = grid.map((size) => {
    const model = itemKnn(data.rows, data.titleCount, size);
    const r = scoreRanker(data, (items, out) => knnScores(model, items, out));
    return { value: size, ndcg: evaluate("knn", validation, trainOf, r, k).ndcg };
  });
  const best = tried.reduce((a, b) => (b.ndcg > a.ndcg ? b : a)).value;
  return { best, tried, ms: performance.now() - started } satisfies Tuned<number>;
}

export function knnRanker(data: TrainingData, size: number): Ranker {
  const model = itemKnn(data.rows, data.titleCount, size);
  return scoreRanker(data, (items, out) => knnScores(model, items, out));
}

/** The service's own model, trained on the same interactions (each profile loaded in one go). */
export async function tasteModelRanker(
  titles: readonly CatalogTitle[],
  data: TrainingData,
  train: readonly Interaction[],
  options: ModelOptions = {},
) {
  const model = new TasteModel({ rankingTtlMs: 0, ...options });
  for (const t of titles) model.setTitle(t);
  for (const profile of groupByProfile(train)) {
    model.loadProfile(
      profile[0]?.profileId ?? "",
      profile.map((i) => ({
        contentId: i.contentId,
        weight: preference(i),
        completed: i.completed,
        time: Math.max(i.viewTime, i.ratingTime),
      })),
    );
  }
  await model.train();
  const ranker: Ranker = (profileId, exclude, k) => {
    const ranked: string[] = [];
    for (const { item } of model.scoreForProfile(profileId)) {
      if (ranked.length === k) break;
      const id = model.contentIdOf(item);
      if (!exclude.has(id)) ranked.push(id);
    }
    return data.fill(ranked, exclude, k);
  };
  return { model, ranker };
}
