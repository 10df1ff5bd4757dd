import { Matrix, CholeskyDecomposition, inverse } from "ml-matrix";
for (const n of [500, 1000, 2000]) {
  const a = Matrix.rand(n, n);
  const g = a.transpose().mmul(a);
  for (let i = 0; i < n; i++) g.set(i, i, g.get(i, i) + 10);
  let t = performance.now();
  const c = new CholeskyDecomposition(g);
  const t1 = performance.now() - t;
  t = performance.now();
  const p = c.solve(Matrix.eye(n));
  const t2 = performance.now() - t;
  t = performance.now();
  const q = inverse(g);
  const t3 = performance.now() - t;
  console.log(n, "chol", t1.toFixed(0), "solveI", t2.toFixed(0), "inverse", t3.toFixed(0));
}
