import { pick, seededRandom } from "@marquee/kit";
import test from "ava";

test("a seed gives the same numbers every run (the seeded catalog and datasets depend on them)", (t) => {
  const random = seededRandom(42);
  // mulberry32's sequence for 42: changing it would change every generated catalog.
  t.deepEqual([random(), random(), random()], [0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
  const a = seededRandom(7);
  const b = seededRandom(7);
  const other = seededRandom(8);
  const drawsA = Array.from({ length: 100 }, a);
  t.deepEqual(Array.from({ length: 100 }, b), drawsA);
  t.notDeepEqual(Array.from({ length: 100 }, other), drawsA);
  t.true(drawsA.every((x) => x >= 0 && x < 1));
});

test("pick draws every item of a list and nothing else", (t) => {
  const random = seededRandom(1);
  const items = ["a", "b", "c"] as const;
  const drawn = new Set(Array.from({ length: 200 }, () => pick(random, items)));
  t.deepEqual([...drawn].sort(), ["a", "b", "c"]);
});
