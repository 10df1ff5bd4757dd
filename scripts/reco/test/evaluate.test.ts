import test from "ava";
import type { Interaction } from "../../../services/recommendation/src/model/types.js";
import { plantedCatalog, plantedProfiles } from "../dataset.js";
import { evaluate, isPositive, rankers, splitByProfile, trainSets } from "../evaluate.js";

const small = { profiles: 600, titles: 300, meanInteractions: 30, seed: 5 };

test("the split holds out only liked titles, never trains on them, and keeps everything else", (t) => {
  const catalog = plantedCatalog(small);
  const profiles = [...plantedProfiles(catalog, small)];
  const split = splitByProfile(profiles, 0.2, 1);
  const train = trainSets(split);
  const all = profiles.flat();
  let held = 0;
  for (const [profileId, titles] of split.test) {
    for (const c of titles) {
      held++;
      t.false(train.get(profileId)?.has(c) ?? false);
      const source = all.find((i) => i.profileId === profileId && i.contentId === c) as Interaction;
      t.true(isPositive(source));
    }
  }
  t.is(split.train.length + held, all.length);
  t.true(held > all.length * 0.05);
});

test("on planted tastes the model ranks held-out titles well above popularity and random", (t) => {
  const catalog = plantedCatalog(small);
  const split = splitByProfile(plantedProfiles(catalog, small), 0.2, small.seed);
  const trainOf = trainSets(split);
  const { ours, byPopularity, atRandom } = rankers(catalog.titles, split, {}, small.seed);
  const mine = evaluate("ours", split, trainOf, ours, 10);
  const pop = evaluate("popularity", split, trainOf, byPopularity, 10);
  const rnd = evaluate("random", split, trainOf, atRandom, 10);
  t.true(mine.ndcg > pop.ndcg * 1.3, `ours ${mine.ndcg} vs popularity ${pop.ndcg}`);
  t.true(pop.ndcg > rnd.ndcg);
  // Recommendations never repeat a training title.
  for (const [profileId, seen] of [...trainOf].slice(0, 50)) {
    const ranked = ours(profileId, seen, 10);
    t.is(ranked.length, 10);
    for (const id of ranked) t.false(seen.has(id));
  }
});
