/**
 * Top-k ranking metrics with binary relevance, as used by the offline
 * evaluation: `ranked` is the recommended list (best first), `relevant` the
 * held-out titles the profile went on to like.
 */

export function hitsAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  let hits = 0;
  for (const id of ranked.slice(0, k)) if (relevant.has(id)) hits++;
  return hits;
}

/** Share of the first k recommendations that are relevant (a short list still divides by k). */
export function precisionAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  return hitsAtK(ranked, relevant, k) / k;
}

/** Share of the relevant titles found in the first k recommendations. */
export function recallAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  if (relevant.size === 0) return 0;
  return hitsAtK(ranked, relevant, k) / relevant.size;
}

/** DCG@k / ideal DCG@k, gain 1 for a relevant title at rank r discounted by log2(r + 1). */
export function ndcgAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  let dcg = 0;
  ranked.slice(0, k).forEach((id, r) => {
    if (relevant.has(id)) dcg += 1 / Math.log2(r + 2);
  });
  let ideal = 0;
  for (let r = 0; r < Math.min(k, relevant.size); r++) ideal += 1 / Math.log2(r + 2);
  return ideal === 0 ? 0 : dcg / ideal;
}
