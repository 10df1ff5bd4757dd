/**
 * A second generated audience, built unlike the planted one so a model
 * cannot be tuned to one generator: titles belong to latent topics (finer
 * than genres, which are only a noisy projection of them), popularity is a
 * steep power law, each profile's tastes are a long-tailed mix over topics,
 * and activity is heavy-tailed: many cold profiles with a handful of
 * interactions next to heavy ones with hundreds.
 */

import { pick, seededRandom } from "@marquee/kit";
import type { CatalogTitle, Interaction } from "@marquee/recommendation/model/types";
import { blankInteraction } from "@marquee/recommendation/store";
import { contentIdOf, GENRES, profileIdOf } from "./dataset.js";
import { gumbel } from "./random.js";

export interface LongTailOptions {
  titles: number;
  profiles: number;
  seed: number;
  /** Median interactions per profile (the mean is about twice as high). */
  medianInteractions: number;
  topics?: number;
}

export interface LongTailCatalog {
  titles: CatalogTitle[];
  topicOf: Int32Array;
  /** log popularity of each title. */
  logPopularity: Float64Array;
  byTopic: number[][];
}

const SYLLABLES = "ka lo mi ra ten vor sul dex an pri mo zel gar un ith bel cor nyx".split(" ");

export function longTailCatalog(opts: LongTailOptions): LongTailCatalog {
  const random = seededRandom(opts.seed * 31 + 3);
  const topics = opts.topics ?? 40;
  // Each topic shows up as one or two genres and has its own small cast and vocabulary.
  const topicGenres = Array.from({ length: topics }, () => {
    const g = new Set([pick(random, GENRES)]);
    if (random() < 0.4) g.add(pick(random, GENRES));
    return [...g];
  });
  const topicCast = Array.from({ length: topics }, (_, k) =>
    Array.from({ length: 12 }, (_, n) => `Player ${k}-${n}`),
  );
  const word = () => `${pick(random, SYLLABLES)}${pick(random, SYLLABLES)}`;
  const topicWords = Array.from({ length: topics }, () => Array.from({ length: 8 }, word));
  const titles: CatalogTitle[] = [];
  const topicOf = new Int32Array(opts.titles);
  const logPopularity = new Float64Array(opts.titles);
  const byTopic: number[][] = Array.from({ length: topics }, () => []);
  // Popularity rank is shuffled against the index so the head is not the first ids.
  const rank = Array.from({ length: opts.titles }, (_, n) => n);
  for (let n = rank.length - 1; n > 0; n--) {
    const j = Math.floor(random() * (n + 1));
    [rank[n], rank[j]] = [rank[j] as number, rank[n] as number];
  }
  for (let n = 0; n < opts.titles; n++) {
    // Topics themselves differ in size (a few big ones, many niche ones).
    const topic = Math.min(topics - 1, Math.floor(topics * random() ** 1.6));
    topicOf[n] = topic;
    byTopic[topic]?.push(n);
    logPopularity[n] = -1.1 * Math.log(1 + (rank[n] as number));
    const genres = new Set(topicGenres[topic]);
    if (random() < 0.15) genres.add(pick(random, GENRES));
    const cast = new Set<string>();
    while (cast.size < 4) {
      cast.add(
        random() < 0.7
          ? pick(random, topicCast[topic] as string[])
          : pick(random, topicCast[Math.floor(random() * topics)] as string[]),
      );
    }
    const words = topicWords[topic] as string[];
    titles.push({
      contentId: contentIdOf(n),
      title: `${word()} ${pick(random, words)} ${n}`,
      genreIds: [...genres],
      cast: [...cast],
      synopsis: `${pick(random, words)} ${pick(random, words)} ${word()} ${pick(random, words)}`,
      maturity: 1 + Math.floor(random() * 4),
      published: true,
      visibilityTime: 0,
      availableFrom: 0,
      availableUntil: 0,
      popularity: 100 * Math.exp(logPopularity[n] as number),
    });
  }
  return { titles, topicOf, logPopularity, byTopic };
}

/** Profiles with long-tailed topic tastes and heavy-tailed activity. */
export function* longTailProfiles(catalog: LongTailCatalog, opts: LongTailOptions): Generator<Interaction[]> {
  const random = seededRandom(opts.seed * 104_729 + 11);
  const topics = catalog.byTopic.length;
  const n = catalog.titles.length;
  const key = new Float64Array(n);
  const order = new Int32Array(n);
  for (let u = 0; u < opts.profiles; u++) {
    // Taste: a main topic, then a power-law tail over a few others.
    const taste = new Float64Array(topics);
    const liked = 2 + Math.floor(random() * 4);
    for (let r = 0; r < liked; r++) {
      const k = Math.floor(random() * topics);
      taste[k] = Math.max(taste[k] as number, 3 / (1 + r) ** 1.2);
    }
    // How much this profile follows the crowd rather than its tastes.
    const herd = 0.4 + random() * 0.8;
    const sigma = 1.3;
    const normal = Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
    const count = Math.min(
      Math.floor(n / 3),
      Math.max(1, Math.round(opts.medianInteractions * Math.exp(sigma * normal))),
    );
    for (let j = 0; j < n; j++) {
      key[j] =
        herd * (catalog.logPopularity[j] as number) +
        (taste[catalog.topicOf[j] as number] as number) +
        gumbel(random);
      order[j] = j;
    }
    // The top `count` keys are a sample without replacement from the softmax of the utilities.
    const chosen = Array.from(order)
      .sort((a, b) => (key[b] as number) - (key[a] as number))
      .slice(0, count);
    const profileId = profileIdOf(u);
    let time = Date.UTC(2026, 0, 1) + Math.floor(random() * 86_400_000 * 60);
    const out: Interaction[] = [];
    for (const j of chosen) {
      time += Math.floor(random() * 43_200_000);
      const affinity = (taste[catalog.topicOf[j] as number] as number) - 1 + 0.8 * (random() - 0.5);
      const likeP = 1 / (1 + Math.exp(-1.8 * affinity));
      const i: Interaction = { ...blankInteraction(profileId, contentIdOf(j)), viewTime: time };
      if (random() < likeP) {
        i.viewFraction = 1;
        i.completed = true;
        if (random() < 0.25) i.rating = affinity > 1.5 ? 3 : 2;
      } else if (random() < 0.5) {
        i.viewFraction = 0.05 + 0.15 * random();
        i.abandoned = true;
        if (random() < 0.2) i.rating = 1;
      } else {
        i.viewFraction = 0.3 + 0.5 * random();
      }
      if (i.rating !== 0) i.ratingTime = time;
      out.push(i);
    }
    yield out;
  }
}
