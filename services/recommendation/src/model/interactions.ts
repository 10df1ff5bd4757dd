import type { ProfileVector } from "./profiles.js";

/** A sparse profiles × titles matrix in compressed rows (and its transpose, titles × profiles). */
export interface SparseRows {
  rows: number;
  cols: number;
  ptr: Int32Array;
  idx: Int32Array;
  val: Float32Array;
}

/** Gives the event loop a turn; long computations await it between slices. */
export type Pause = () => Promise<void>;

export const noPause: Pause = () => Promise.resolve();
export const yieldToEvents: Pause = () => new Promise((resolve) => setImmediate(resolve));

/** Runs `pause` whenever more than `sliceMs` passed since the last one. */
export function slicer(pause: Pause, sliceMs = 8): () => Promise<void> | undefined {
  let since = performance.now();
  return () => {
    const now = performance.now();
    if (now - since < sliceMs) return undefined;
    return pause().then(() => {
      since = performance.now();
    });
  };
}

/**
 * X: one row per profile, the value `signal(weight)` for each of its titles
 * (zeros left out). Copies the vectors as they are now, so later changes to
 * profiles do not reach a training in progress.
 */
export async function interactionMatrix(
  profiles: readonly ProfileVector[],
  titles: number,
  signal: (weight: number) => number,
  pause: Pause,
): Promise<SparseRows> {
  const turn = slicer(pause);
  let nnz = 0;
  for (const p of profiles) nnz += p.items.length;
  const ptr = new Int32Array(profiles.length + 1);
  const idx = new Int32Array(nnz);
  const val = new Float32Array(nnz);
  let at = 0;
  for (let u = 0; u < profiles.length; u++) {
    const p = profiles[u] as ProfileVector;
    for (let k = 0; k < p.items.length; k++) {
      const x = signal(p.weights[k] as number);
      const item = p.items[k] as number;
      if (x === 0 || item >= titles) continue;
      idx[at] = item;
      val[at] = x;
      at++;
    }
    ptr[u + 1] = at;
    await turn();
  }
  return { rows: profiles.length, cols: titles, ptr, idx: idx.slice(0, at), val: val.slice(0, at) };
}

export function transpose(m: SparseRows): SparseRows {
  const ptr = new Int32Array(m.cols + 1);
  for (let k = 0; k < m.idx.length; k++) {
    const c = (m.idx[k] as number) + 1;
    ptr[c] = (ptr[c] as number) + 1;
  }
  for (let c = 0; c < m.cols; c++) ptr[c + 1] = (ptr[c + 1] as number) + (ptr[c] as number);
  const next = ptr.slice(0, m.cols);
  const idx = new Int32Array(m.idx.length);
  const val = new Float32Array(m.idx.length);
  for (let r = 0; r < m.rows; r++) {
    for (let k = m.ptr[r] as number; k < (m.ptr[r + 1] as number); k++) {
      const c = m.idx[k] as number;
      const to = next[c] as number;
      idx[to] = r;
      val[to] = m.val[k] as number;
      next[c] = to + 1;
    }
  }
  return { rows: m.cols, cols: m.rows, ptr, idx, val };
}
