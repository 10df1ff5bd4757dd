/**
 * What the home's trending row holds: trending titles while viewing data
 * gives enough of them, topped up with the most popular titles until then,
 * under a title that says which it is.
 */
import type { Content } from "@marquee/sdk/browser";

/** Fewer trending titles than this and the row is topped up with popular ones. */
export const TRENDING_MIN = 6;
const ROW_MAX = 20;

export interface TrendingRow {
  title: string;
  contents: Content[];
}

export async function trendingRow(
  trending: Content[],
  popular: () => Promise<Content[]>,
  min = TRENDING_MIN,
): Promise<TrendingRow> {
  if (trending.length >= min) return { title: "Trending Now", contents: trending.slice(0, ROW_MAX) };
  const seen = new Set(trending.map((c) => c.contentId));
  const more = (await popular()).filter((c) => !seen.has(c.contentId));
  return {
    title: trending.length === 0 ? "Popular on Marquee" : "Trending & Popular on Marquee",
    contents: [...trending, ...more].slice(0, ROW_MAX),
  };
}
