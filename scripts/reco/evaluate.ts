/**
 * Offline evaluation: hold out part of each profile's liked titles, train on
 * the rest, and score top-k lists of every ranker against the held-out titles.
 */

import { seededRandom } from "@marquee/kit";
import { preference } from "@marquee/recommendation/model/signals";
import type { CatalogTitle, Interaction } from "@marquee/recommendation/model/types";
import { ndcgAtK, precisionAtK, recallAtK } from "./metrics.js";
import { shuffle } from "./random.js";

/** A held-out title is one the profile liked: completed, or rated up, and not turned down. */
export const isPositive = (i: Interaction) => preference(i) >= 1;

/** A generated catalog and audience. */
export interface Dataset {
  name: string;
  titles: CatalogTitle[];
  profiles: () => Iterable<Interaction[]>;
}

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

/**
 * Newcomers: a sample of profiles keeps only what it did up to its first one
 * or two liked titles (by time), and the likes that came after are held out;
 * every other profile trains whole. Measures the rows a profile with fewer
 * than 3 likes gets.
 */
export function coldSplit(profiles: Iterable<Interaction[]>, share: number, seed: number): Split {
  const random = seededRandom(seed + 17);
  const train: Interaction[] = [];
  const test = new Map<string, Set<string>>();
  for (const interactions of profiles) {
    const byTime = [...interactions].sort((a, b) => a.viewTime - b.viewTime);
    const likes = byTime.filter(isPositive);
    if (likes.length < 4 || random() >= share) {
      train.push(...interactions);
      continue;
    }
    const keep = 1 + Math.floor(random() * 2);
    const cut = byTime.indexOf(likes[keep - 1] as Interaction);
    train.push(...byTime.slice(0, cut + 1));
    test.set((likes[0] as Interaction).profileId, new Set(likes.slice(keep).map((i) => i.contentId)));
  }
  return { train, test };
}

/** Interactions grouped by profile, in first-seen order. */
export function groupByProfile(interactions: readonly Interaction[]): Interaction[][] {
  const groups = new Map<string, Interaction[]>();
  for (const i of interactions) {
    let g = groups.get(i.profileId);
    if (g === undefined) {
      g = [];
      groups.set(i.profileId, g);
    }
    g.push(i);
  }
  return [...groups.values()];
}

export function trainSets(split: Split): Map<string, Set<string>> {
  const trainOf = new Map<string, Set<string>>();
  for (const i of split.train)
    (trainOf.get(i.profileId) ?? trainOf.set(i.profileId, new Set()).get(i.profileId))?.add(i.contentId);
  return trainOf;
}

/** A ranker's top k titles for a profile, leaving out `exclude` (what the profile already has). */
export type Ranker = (profileId: string, exclude: ReadonlySet<string>, k: number) => string[];

export interface Scores {
  name: string;
  precision: number;
  recall: number;
  ndcg: number;
  profiles: number;
}

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
