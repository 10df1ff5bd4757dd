import test from "ava";
import { denseScores, easeFamily } from "../baselines/ease.js";
import { itemKnn } from "../baselines/item-knn.js";

// Two profiles: {0, 1} and {1, 2}. G = XᵀX = [[1,1,0],[1,2,1],[0,1,1]].
const rows = [
  [0, 1],
  [1, 2],
];

test("EASE^R on a 3×3 case computed by hand", (t) => {
  // λ = 1: G + I = [[2,1,0],[1,3,1],[0,1,2]], det 8, P = (1/8)·[[5,-2,1],[-2,4,-2],[1,-2,5]];
  // B_ij = -P_ij / P_jj off the diagonal.
  const b = easeFamily(rows, 3)(1);
  const expected = [0, 0.5, -0.2, 0.4, 0, 0.4, -0.2, 0.5, 0];
  for (const [at, x] of expected.entries()) {
    t.true(Math.abs((b[at] as number) - x) < 1e-9, `B[${at}] = ${b[at]}, not ${x}`);
  }
  // A profile that watched title 0 is shown title 1 (0.5) before title 2 (-0.2).
  const out = new Float64Array(3);
  denseScores(b, 3, [0], out);
  t.deepEqual(
    [...out].map((x) => Math.round(x * 10) / 10),
    [0, 0.5, -0.2],
  );
});

test("EASE^R shrinks towards zero as λ grows", (t) => {
  const family = easeFamily(rows, 3);
  t.true(Math.abs(family(1000)[1] as number) < Math.abs(family(1)[1] as number));
});

test("item-kNN: cosine of the audiences, best first, k kept", (t) => {
  const knn = itemKnn(rows, 3, 1);
  // cos(0,1) = 1/√(1·2); cos(0,2) = 0; title 1 ties between 0 and 2 and keeps the lower index.
  t.deepEqual([...(knn.neighbours[0]?.items ?? [])], [1]);
  t.true(Math.abs((knn.neighbours[0]?.sims[0] as number) - 1 / Math.SQRT2) < 1e-12);
  t.deepEqual([...(knn.neighbours[1]?.items ?? [])], [0]);
});
