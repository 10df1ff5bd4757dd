/**
 * Hits scoring under this share of the best match are dropped: past it are
 * loose prefix and typo matches of another word ("leon" finding Leonardo
 * DiCaprio's films), not what the member typed.
 */
const TAIL_SHARE = 0.22;

/** The hits worth showing, given the best score of the whole query (not only of this page). */
export function withoutTail<H extends { score: number }>(hits: H[], bestScore: number): H[] {
  const floor = bestScore * TAIL_SHARE;
  return hits.filter((h) => h.score >= floor);
}
