/**
 * EASE^R (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data",
 * WWW 2019): an item × item weight matrix B with a zero diagonal that best
 * reconstructs X from X·B under an L2 penalty λ. Closed form:
 * P = (XᵀX + λI)⁻¹, B = I − P·diag(1/diag(P)), i.e. B_ij = −P_ij / P_jj off
 * the diagonal. Dense (titles² doubles), so only for evaluation-sized catalogs.
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";

/** X as the list of item indices of each profile (binary implicit feedback). */
export type Rows = readonly (readonly number[])[];

/** G = XᵀX for binary X. */
export function gramMatrix(rows: Rows, n: number): Matrix {
  const g = Matrix.zeros(n, n);
  for (const items of rows) {
    for (const i of items) for (const j of items) g.set(i, j, g.get(i, j) + 1);
  }
  return g;
}

/** B from P = (G + λI)⁻¹, row-major: weights[i·n + j] = B_ij. */
export function easeFromInverse(p: Matrix): Float64Array {
  const n = p.rows;
  const b = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i !== j) b[i * n + j] = -p.get(i, j) / p.get(j, j);
    }
  }
  return b;
}

/**
 * EASE for many λ from one eigendecomposition of the symmetric G = V·diag(d)·Vᵀ:
 * (G + λI)⁻¹ = V·diag(1/(d + λ))·Vᵀ, so trying another λ costs one matrix product.
 */
export function easeFamily(rows: Rows, n: number): (lambda: number) => Float64Array {
  const evd = new EigenvalueDecomposition(gramMatrix(rows, n), { assumeSymmetric: true });
  const v = evd.eigenvectorMatrix;
  const d = evd.realEigenvalues;
  const vt = v.transpose();
  return (lambda) => {
    const p = v
      .clone()
      .mulRowVector(d.map((x) => 1 / (Math.max(0, x) + lambda)))
      .mmul(vt);
    return easeFromInverse(p);
  };
}

/** Scores of every item for one profile: s_j = Σ_{i ∈ profile} B_ij. */
export function denseScores(b: Float64Array, n: number, items: readonly number[], out: Float64Array): void {
  out.fill(0);
  for (const i of items) {
    const row = i * n;
    for (let j = 0; j < n; j++) out[j] = (out[j] as number) + (b[row + j] as number);
  }
}
