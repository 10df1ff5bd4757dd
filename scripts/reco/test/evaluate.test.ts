import type { Interaction } from "@marquee/recommendation/model/types";
import test from "ava";
import { plantedCatalog, plantedProfiles } from "../dataset.js";
import { longTailCatalog, longTailProfiles } from "../dataset-long-tail.js";
import { coldSplit, evaluate, isPositive, splitByProfile, trainSets } from "../evaluate.js";
import { popularityRanker, randomRanker, TrainingData, tasteModelRanker } from "../rankers.js";

const small = { profiles: 600, titles: 300, meanInteractions: 30, seed: 5 };

test("the split holds out only liked titles, never trains on them, and keeps everything else", (t) => {
  const catalog = plantedCatalog(small);
  const profiles = [...plantedProfiles(catalog, small)];
  const split = splitByProfile(profiles, 0.2, 1);
  const train = trainSets(split);
  const all = profiles.flat();
  const byKey = new Map(all.map((i) => [`${i.profileId}/${i.contentId}`, i]));
  let held = 0;
  for (const [profileId, titles] of split.test) {
    for (const c of titles) {
      held++;
      t.false(train.get(profileId)?.has(c) ?? false);
      t.true(isPositive(byKey.get(`${profileId}/${c}`) as Interaction));
    }
  }
  t.is(split.train.length + held, all.length);
  t.true(held > all.length * 0.05);
});

test("the newcomer split keeps one or two likes of each sampled profile and holds out the later ones", (t) => {
  const catalog = plantedCatalog(small);
  const profiles = [...plantedProfiles(catalog, small)];
  const split = coldSplit(profiles, 0.3, 2);
  t.true(split.test.size > 50);
  const byProfile = new Map(profiles.map((p) => [p[0]?.profileId as string, p]));
  const trained = new Map<string, Interaction[]>();
  for (const i of split.train)
    (trained.get(i.profileId) ?? trained.set(i.profileId, []).get(i.profileId))?.push(i);
  for (const [profileId, held] of split.test) {
    const kept = trained.get(profileId) ?? [];
    const likes = kept.filter(isPositive);
    t.true(likes.length >= 1 && likes.length <= 2);
    const lastKept = Math.max(...kept.map((i) => i.viewTime));
    for (const c of held) {
      const i = byProfile.get(profileId)?.find((x) => x.contentId === c) as Interaction;
      t.true(isPositive(i));
      t.true(i.viewTime > lastKept, "only later likes are held out");
    }
  }
});

test("the long-tail generator has heavy-tailed activity: many cold and some heavy profiles", (t) => {
  const opts = { titles: 400, profiles: 1500, medianInteractions: 12, seed: 3 };
  const sizes = [...longTailProfiles(longTailCatalog(opts), opts)].map((p) => p.length).sort((a, b) => a - b);
  t.is(sizes.length, 1500);
  t.true(sizes.filter((n) => n <= 3).length > 100, "many cold profiles");
  t.true((sizes.at(-1) as number) >= 100, "some heavy ones");
  t.true(Math.abs((sizes[750] as number) - 12) <= 3, "median near the requested one");
});

test("on planted tastes the model ranks held-out titles well above popularity and random", async (t) => {
  const catalog = plantedCatalog(small);
  const split = splitByProfile(plantedProfiles(catalog, small), 0.2, small.seed);
  const trainOf = trainSets(split);
  const data = new TrainingData(catalog.titles, split.train);
  const { ranker: ours } = await tasteModelRanker(catalog.titles, data, split.train);
  const mine = evaluate("ours", split, trainOf, ours, 10);
  const pop = evaluate("popularity", split, trainOf, popularityRanker(data), 10);
  const rnd = evaluate("random", split, trainOf, randomRanker(data, small.seed), 10);
  t.true(mine.ndcg > pop.ndcg * 1.3, `ours ${mine.ndcg} vs popularity ${pop.ndcg}`);
  t.true(pop.ndcg > rnd.ndcg);
  // Recommendations never repeat a training title.
  for (const [profileId, seen] of [...trainOf].slice(0, 50)) {
    const ranked = ours(profileId, seen, 10);
    t.is(ranked.length, 10);
    for (const id of ranked) t.false(seen.has(id));
  }
});
