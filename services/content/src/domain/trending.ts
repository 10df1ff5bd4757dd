/**
 * Trending score: each distinct viewer of a title in the window counts once,
 * weighted by how recent their latest view is — a half-life decay, so a title
 * watched by 100 people an hour ago outranks one watched by 120 people a day
 * ago. Pure: the views come from the trending store.
 */
export const TRENDING_WINDOW_MS = 24 * 3_600_000;

export interface View {
  contentId: string;
  lastSeen: Date;
}

export interface Trend {
  contentId: string;
  score: number;
}

export function rankTrending(views: Iterable<View>, now: Date, halfLifeMs: number): Trend[] {
  const scores = new Map<string, number>();
  const since = now.getTime() - TRENDING_WINDOW_MS;
  for (const v of views) {
    const t = v.lastSeen.getTime();
    if (t < since) continue;
    const age = Math.max(0, now.getTime() - t);
    scores.set(v.contentId, (scores.get(v.contentId) ?? 0) + 0.5 ** (age / halfLifeMs));
  }
  return [...scores]
    .map(([contentId, score]) => ({ contentId, score }))
    .sort((a, b) => b.score - a.score || (a.contentId < b.contentId ? -1 : 1));
}

/** The scopes a view counts in: worldwide, and its country when known. */
export function scopesOf(country: string): string[] {
  return /^[A-Z]{2}$/.test(country) ? ["world", country] : ["world"];
}
