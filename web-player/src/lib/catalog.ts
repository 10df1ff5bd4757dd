/** Title details fetched once per page life and shared by every row and screen. */
import type { Content } from "@marquee/sdk/browser";
import { api } from "./api.js";

const cache = new Map<string, Promise<Content | undefined>>();

/** One title (undefined when it is gone or hidden by the profile's maturity cap). */
export function getTitle(contentId: string): Promise<Content | undefined> {
  let hit = cache.get(contentId);
  if (!hit) {
    hit = api.content.getContentDetails({ contentId }).then(
      (res) => res.content,
      (err: unknown) => {
        cache.delete(contentId);
        throw err;
      },
    );
    cache.set(contentId, hit);
  }
  return hit;
}

/** Remembers titles that came inside another response (browse, search, trending). */
export function remember(content: Content): void {
  if (!cache.has(content.contentId)) cache.set(content.contentId, Promise.resolve(content));
}

/** Many titles, in order, skipping the ones that failed. Rejects only when all failed. */
export async function getTitles(ids: string[]): Promise<Content[]> {
  if (ids.length === 0) return [];
  const results = await Promise.allSettled(ids.map((id) => getTitle(id)));
  const found = results.flatMap((r) => (r.status === "fulfilled" && r.value ? [r.value] : []));
  const firstError = results.find((r) => r.status === "rejected");
  if (found.length === 0 && firstError && firstError.status === "rejected") throw firstError.reason;
  return found;
}

export function clearCatalogCache(): void {
  cache.clear();
}
