import { CholeskyDecomposition, Matrix } from "ml-matrix";
import { type Pause, type SparseRows, slicer, transpose } from "./interactions.js";

export interface WeightOptions {
  /** Titles whose weights predict a title: its most co-occurring ones. */
  neighbours: number;
  /** Co-occurrences kept per title to fill the neighbours' Gram block (≥ neighbours). */
  candidates: number;
  /** L2 penalty λ as a multiple of the mean Gram diagonal (a title's mean audience). */
  l2: number;
}

/**
 * The learned title × title weights, sparse, by source title: a profile with
 * title i adds weights[k] to the score of targets[k] for k in ptr[i]..ptr[i+1].
 */
export interface ItemWeights {
  titles: number;
  ptr: Int32Array;
  targets: Int32Array;
  weights: Float32Array;
  /** λ actually used. */
  lambda: number;
}

export const NO_WEIGHTS: ItemWeights = {
  titles: 0,
  ptr: new Int32Array(1),
  targets: new Int32Array(0),
  weights: new Float32Array(0),
  lambda: 0,
};

/**
 * EASE restricted to neighbourhoods (the L2 form of feature-selected SLIM):
 * EASE^R's column j is the ridge regression of title j's audience on every
 * other title's, B_·j = (G₋ⱼ + λI)⁻¹ G₋ⱼ,ⱼ with G = XᵀX. Here each column
 * regresses only on title j's `neighbours` most co-occurring titles, with the
 * Gram block between them taken from each title's `candidates` largest
 * co-occurrences (a missing entry counts as 0). With every title a neighbour
 * and every co-occurrence kept this is exactly EASE^R; truncated, it needs
 * memory linear in titles × candidates instead of titles², and time linear in
 * Σ (titles per profile)² plus titles × neighbours³.
 */
export async function trainItemWeights(
  x: SparseRows,
  opts: WeightOptions,
  pause: Pause,
): Promise<ItemWeights> {
  const n = x.cols;
  const turn = slicer(pause);
  const gram = await truncatedGram(x, Math.max(opts.candidates, opts.neighbours), opts.neighbours, turn);
  let audience = 0;
  let seen = 0;
  for (let i = 0; i < n; i++) {
    if ((gram.diag[i] as number) > 0) {
      audience += gram.diag[i] as number;
      seen++;
    }
  }
  const lambda = Math.max(1e-6, (opts.l2 * audience) / Math.max(1, seen));
  // Columns first (target j ← its neighbours), then turned into rows by source.
  const colPtr = gram.nbPtr;
  const colWeights = new Float32Array(gram.nbIdx.length);
  for (let j = 0; j < n; j++) {
    const from = colPtr[j] as number;
    const k = (colPtr[j + 1] as number) - from;
    if (k === 0) continue;
    const solution = solveRidge(gram, from, k, lambda);
    for (let a = 0; a < k; a++) colWeights[from + a] = solution[a] as number;
    await turn();
  }
  const bySource = transpose({ rows: n, cols: n, ptr: colPtr, idx: gram.nbIdx, val: colWeights });
  return { titles: n, ptr: bySource.ptr, targets: bySource.idx, weights: bySource.val, lambda };
}

/** b = (G_NN + λI)⁻¹ G_Nj for the neighbours N of j, with a larger λ if the truncated block is not positive definite. */
function solveRidge(gram: TruncatedGram, from: number, k: number, lambda: number): Float64Array {
  const nb = gram.nbIdx.subarray(from, from + k);
  const rhs = Matrix.columnVector(gram.nbVal.subarray(from, from + k));
  for (let boost = 1; ; boost *= 4) {
    const a = new Matrix(k, k);
    for (let r = 0; r < k; r++) {
      const i = nb[r] as number;
      a.set(r, r, (gram.diag[i] as number) + lambda * boost);
      for (let c = r + 1; c < k; c++) {
        const g = gram.at(i, nb[c] as number);
        a.set(r, c, g);
        a.set(c, r, g);
      }
    }
    const chol = new CholeskyDecomposition(a);
    if (chol.isPositiveDefinite() || boost > 1e6) return Float64Array.from(chol.solve(rhs).getColumn(0));
  }
}

interface TruncatedGram {
  diag: Float64Array;
  /** Kept co-occurrences of each title, by title index ascending. */
  ptr: Int32Array;
  idx: Int32Array;
  val: Float32Array;
  /** The `neighbours` largest co-occurrences of each title, largest first. */
  nbPtr: Int32Array;
  nbIdx: Int32Array;
  nbVal: Float32Array;
  at(a: number, b: number): number;
}

/**
 * G = XᵀX one row at a time (a dense accumulator of one title's
 * co-occurrences, reset after use), keeping each row's `keep` largest entries.
 */
async function truncatedGram(
  x: SparseRows,
  keep: number,
  neighbours: number,
  turn: () => Promise<void> | undefined,
): Promise<TruncatedGram> {
  const n = x.cols;
  const xt = transpose(x);
  const acc = new Float64Array(n);
  const touched = new Int32Array(n);
  const scratch = new Float64Array(n);
  const diag = new Float64Array(n);
  const ptr = new Int32Array(n + 1);
  const nbPtr = new Int32Array(n + 1);
  let idx = new Int32Array(n * Math.min(keep, 16));
  let val = new Float32Array(idx.length);
  const nbIdx = new Int32Array(n * neighbours);
  const nbVal = new Float32Array(n * neighbours);
  let size = 0;
  let nbSize = 0;
  for (let i = 0; i < n; i++) {
    let t = 0;
    for (let k = xt.ptr[i] as number; k < (xt.ptr[i + 1] as number); k++) {
      const u = xt.idx[k] as number;
      const xi = xt.val[k] as number;
      for (let q = x.ptr[u] as number; q < (x.ptr[u + 1] as number); q++) {
        const j = x.idx[q] as number;
        if (acc[j] === 0) touched[t++] = j;
        acc[j] = (acc[j] as number) + xi * (x.val[q] as number);
      }
    }
    diag[i] = acc[i] as number;
    acc[i] = 0;
    // The keep-th largest value, found in linear time on a copy.
    let m = 0;
    for (let q = 0; q < t; q++) {
      const v = acc[touched[q] as number] as number;
      if (v > 0) scratch[m++] = v;
    }
    const threshold = m <= keep ? 0 : kthLargest(scratch, m, keep);
    const chosen: number[] = [];
    let ties = keep - countAbove(acc, touched, t, threshold);
    for (let q = 0; q < t; q++) {
      const j = touched[q] as number;
      const v = acc[j] as number;
      if (v > threshold || (v === threshold && v > 0 && ties-- > 0)) chosen.push(j);
    }
    chosen.sort((a, b) => a - b);
    if (size + chosen.length > idx.length) {
      const grown = Math.max(idx.length * 2, size + chosen.length);
      idx = grow(idx, grown, Int32Array);
      val = grow(val, grown, Float32Array);
    }
    for (const j of chosen) {
      idx[size] = j;
      val[size] = acc[j] as number;
      size++;
    }
    ptr[i + 1] = size;
    const best = chosen.sort((a, b) => (acc[b] as number) - (acc[a] as number) || a - b).slice(0, neighbours);
    for (const j of best) {
      nbIdx[nbSize] = j;
      nbVal[nbSize] = acc[j] as number;
      nbSize++;
    }
    nbPtr[i + 1] = nbSize;
    for (let q = 0; q < t; q++) acc[touched[q] as number] = 0;
    await turn();
  }
  const keptIdx = idx.slice(0, size);
  const keptVal = val.slice(0, size);
  const find = (a: number, b: number): number => {
    let lo = ptr[a] as number;
    let hi = (ptr[a + 1] as number) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = keptIdx[mid] as number;
      if (c === b) return keptVal[mid] as number;
      if (c < b) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  };
  return {
    diag,
    ptr,
    idx: keptIdx,
    val: keptVal,
    nbPtr,
    nbIdx: nbIdx.slice(0, nbSize),
    nbVal: nbVal.slice(0, nbSize),
    at(a, b) {
      const ab = find(a, b);
      if (ab >= 0) return ab;
      return Math.max(0, find(b, a));
    },
  };
}

function countAbove(acc: Float64Array, touched: Int32Array, t: number, threshold: number): number {
  let c = 0;
  for (let q = 0; q < t; q++) if ((acc[touched[q] as number] as number) > threshold) c++;
  return c;
}

/** The k-th largest of a[0..len) (1-based), by quickselect; reorders a. */
export function kthLargest(a: Float64Array, len: number, k: number): number {
  let lo = 0;
  let hi = len - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) > pivot) i++;
      while ((a[j] as number) < pivot) j--;
      if (i <= j) {
        const tmp = a[i] as number;
        a[i] = a[j] as number;
        a[j] = tmp;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return a[target] as number;
}

function grow<T extends Int32Array | Float32Array>(a: T, size: number, make: new (n: number) => T): T {
  const b = new make(size);
  b.set(a);
  return b;
}
