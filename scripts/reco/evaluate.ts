/**
 * Offline evaluation: hold out part of each profile's liked titles, train on
 * the rest, and score top-k lists of the recommender and two baselines
 * against the held-out titles.
 */

import { seededRandom } from "@marquee/kit";
import { preference } from "../../services/recommendation/src/model/signals.js";
import { type ModelOptions, TasteModel } from "../../services/recommendation/src/model/taste-model.js";
import type { CatalogTitle, Interaction } from "../../services/recommendation/src/model/types.js";
import { ndcgAtK, precisionAtK, recallAtK } from "./metrics.js";
import { shuffle } from "./random.js";

/** A held-out title is one the profile liked: completed, or rated up, and not turned down. */
export const isPositive = (i: Interaction) => preference(i) >= 1;

export interface Split {
  train: Interaction[];
  /** profile → liked titles held out. */
  test: Map<string, Set<string>>;
}

/** Per profile, a share of its liked titles goes to test; everything else trains. */
export function splitByProfile(profiles: Iterable<Interaction[]>, testShare: number, seed: number): Split {
  const random = seededRandom(seed);
  const train: Interaction[] = [];
  const test = new Map<string, Set<string>>();
  for (const interactions of profiles) {
    const positives = shuffle(random, interactions.filter(isPositive));
    const held = new Set(
      positives.slice(0, Math.floor(positives.length * testShare)).map((i) => i.contentId),
    );
    for (const i of interactions) {
      if (held.has(i.contentId)) continue;
      train.push(i);
    }
    const first = interactions[0];
    if (held.size > 0 && first !== undefined) test.set(first.profileId, held);
  }
  return { train, test };
}

export interface Scores {
  name: string;
  precision: number;
  recall: number;
  ndcg: number;
  profiles: number;
}

export type Ranker = (profileId: string, exclude: ReadonlySet<string>, k: number) => string[];

export function evaluate(
  name: string,
  split: Split,
  trainOf: Map<string, Set<string>>,
  rank: Ranker,
  k: number,
): Scores {
  let precision = 0;
  let recall = 0;
  let ndcg = 0;
  for (const [profileId, relevant] of split.test) {
    const ranked = rank(profileId, trainOf.get(profileId) ?? new Set(), k);
    precision += precisionAtK(ranked, relevant, k);
    recall += recallAtK(ranked, relevant, k);
    ndcg += ndcgAtK(ranked, relevant, k);
  }
  const n = Math.max(1, split.test.size);
  return { name, precision: precision / n, recall: recall / n, ndcg: ndcg / n, profiles: split.test.size };
}

/** Trains the recommender on the training part and returns the three rankers. */
export function rankers(titles: CatalogTitle[], split: Split, options: ModelOptions, seed: number) {
  const model = new TasteModel({ ...options, rankingTtlMs: 0 });
  for (const t of titles) model.setTitle(t);
  for (const i of split.train)
    model.setInteraction(i.profileId, i.contentId, preference(i), i.completed, i.viewTime);
  const popular = model.popular().map((item) => model.contentIdOf(item));
  const fill = (ranked: string[], exclude: ReadonlySet<string>, k: number) => {
    for (const id of popular) {
      if (ranked.length >= k) break;
      if (!exclude.has(id) && !ranked.includes(id)) ranked.push(id);
    }
    return ranked;
  };
  const random = seededRandom(seed + 1);
  const ids = titles.map((t) => t.contentId);
  const ours: Ranker = (profileId, exclude, k) =>
    fill(
      model
        .scoreForProfile(profileId)
        .map((s) => model.contentIdOf(s.item))
        .filter((id) => !exclude.has(id))
        .slice(0, k),
      exclude,
      k,
    );
  const byPopularity: Ranker = (_profileId, exclude, k) => fill([], exclude, k);
  const atRandom: Ranker = (_profileId, exclude, k) => {
    const out = new Set<string>();
    while (out.size < k && out.size < ids.length - exclude.size) {
      const id = ids[Math.floor(random() * ids.length)] as string;
      if (!exclude.has(id)) out.add(id);
    }
    return [...out];
  };
  return { model, ours, byPopularity, atRandom };
}

export function trainSets(split: Split): Map<string, Set<string>> {
  const trainOf = new Map<string, Set<string>>();
  for (const i of split.train)
    (trainOf.get(i.profileId) ?? trainOf.set(i.profileId, new Set()).get(i.profileId))?.add(i.contentId);
  return trainOf;
}
