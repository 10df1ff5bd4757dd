import { CholeskyDecomposition, Matrix } from "ml-matrix";
import { plantedCatalog, plantedProfiles } from "./scripts/reco/dataset.js";
import { longTailCatalog, longTailProfiles } from "./scripts/reco/dataset-long-tail.js";
import { evaluate, splitByProfile, trainSets, type Ranker } from "./scripts/reco/evaluate.js";
import { TrainingData, easeRanker } from "./scripts/reco/rankers.js";

const titles = Number(process.argv[2] ?? 400);
const which = process.argv[3] ?? "planted";
const seed = 7;
let ds;
if (which === "planted") {
  const opts = { titles, profiles: titles * 5, meanInteractions: 30, seed };
  const c = plantedCatalog(opts);
  ds = { titles: c.titles, profiles: () => plantedProfiles(c, opts) };
} else {
  const opts = { titles, profiles: Math.round(titles * 7.5), medianInteractions: 12, seed };
  const c = longTailCatalog(opts);
  ds = { titles: c.titles, profiles: () => longTailProfiles(c, opts) };
}
const split = splitByProfile(ds.profiles(), 0.2, seed);
const trainOf = trainSets(split);
const data = new TrainingData(ds.titles, split.train);
const n = data.titleCount;
const run = (name: string, r: Ranker) => {
  const s = evaluate(name, split, trainOf, r, 10);
  console.log(name.padEnd(40), s.ndcg.toFixed(4));
};
// exact gram
const G = new Float64Array(n * n);
for (const items of data.rows) for (const i of items) for (const j of items) G[i * n + j]++;
const lambda = Number(process.argv[4] ?? 200);
let t = performance.now();
run(`ease λ=${lambda}`, easeRanker(data, lambda));
console.log("ease ms", (performance.now() - t).toFixed(0));

function local(K: number, M: number, lam: number) {
  // truncated gram: top-M per row
  const keep = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) {
    const idx = [...Array(n).keys()].filter((j) => j !== i && G[i * n + j] > 0).sort((a, b) => G[i * n + b] - G[i * n + a]).slice(0, M);
    for (const j of idx) { keep[i * n + j] = 1; keep[j * n + i] = 1; }
  }
  const g = (a: number, b: number) => (a === b || keep[a * n + b] ? G[a * n + b] : 0);
  const B = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const N = [...Array(n).keys()].filter((i) => i !== j && G[j * n + i] > 0).sort((a, b) => G[j * n + b] - G[j * n + a]).slice(0, K);
    if (N.length === 0) continue;
    const A = Matrix.zeros(N.length, N.length);
    const rhs = Matrix.zeros(N.length, 1);
    N.forEach((a, x) => {
      rhs.set(x, 0, G[a * n + j]);
      N.forEach((b, y) => A.set(x, y, g(a, b) + (x === y ? lam : 0)));
    });
    const sol = new CholeskyDecomposition(A).solve(rhs);
    N.forEach((a, x) => { B[a * n + j] = sol.get(x, 0); });
  }
  const scores = new Float64Array(n);
  return ((p, ex, k) => {
    scores.fill(0);
    for (const i of data.items(p)) for (let j = 0; j < n; j++) scores[j] += B[i * n + j];
    return data.top(scores, ex, k);
  }) as Ranker;
}
for (const [K, M] of [[50, 50], [50, 200], [100, 100], [100, 400], [200, 200], [200, 800]]) {
  if (K > n) continue;
  t = performance.now();
  const r = local(K, M, lambda);
  const ms = performance.now() - t;
  run(`local K=${K} M=${M}`, r);
  console.log("  ms", ms.toFixed(0));
}
