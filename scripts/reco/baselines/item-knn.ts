/**
 * Item-kNN, the classic neighbourhood baseline: cosine similarity of the
 * titles' binary audience vectors, each title keeping its k most similar;
 * a profile's score for a title is the sum of its similarities to the
 * profile's titles.
 */
import type { Rows } from "./ease.js";

export interface ItemKnn {
  /** neighbours[i] = [j, similarity] pairs, best first. */
  neighbours: { items: Int32Array; sims: Float64Array }[];
}

export function itemKnn(rows: Rows, n: number, k: number): ItemKnn {
  const byItem: number[][] = Array.from({ length: n }, () => []);
  rows.forEach((items, u) => {
    for (const i of items) byItem[i]?.push(u);
  });
  const count = byItem.map((users) => users.length);
  const row = new Float64Array(n);
  const neighbours: ItemKnn["neighbours"] = [];
  for (let i = 0; i < n; i++) {
    row.fill(0);
    for (const u of byItem[i] ?? []) for (const j of rows[u] ?? []) row[j] = (row[j] as number) + 1;
    row[i] = 0;
    const candidates: number[] = [];
    for (let j = 0; j < n; j++) {
      if ((row[j] as number) > 0) {
        row[j] = (row[j] as number) / Math.sqrt((count[i] as number) * (count[j] as number));
        candidates.push(j);
      }
    }
    candidates.sort((a, b) => (row[b] as number) - (row[a] as number) || a - b);
    const top = candidates.slice(0, k);
    neighbours.push({ items: Int32Array.from(top), sims: Float64Array.from(top, (j) => row[j] as number) });
  }
  return { neighbours };
}

export function knnScores(model: ItemKnn, items: readonly number[], out: Float64Array): void {
  out.fill(0);
  for (const i of items) {
    const nb = model.neighbours[i];
    if (nb === undefined) continue;
    for (let r = 0; r < nb.items.length; r++) {
      const j = nb.items[r] as number;
      out[j] = (out[j] as number) + (nb.sims[r] as number);
    }
  }
}
