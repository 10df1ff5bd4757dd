import type { Logger } from "@marquee/kit";
import type { CatalogSource } from "./catalog-source.js";
import type { TasteEngine } from "./engine.js";

/**
 * Follows one visibility change: a published title's facts are fetched from
 * the catalog (the event carries only its id and rating), an unpublished one
 * is just hidden. Visibility is ordered by the change's time.
 */
export async function applyVisibility(
  engine: TasteEngine,
  source: CatalogSource,
  change: { contentId: string; published: boolean; time: number },
): Promise<void> {
  if (change.published) {
    const facts = await source.title(change.contentId);
    // A title the catalog no longer knows stays hidden.
    if (facts === undefined) return engine.setVisibility(change.contentId, false, change.time);
    await engine.putTitle(facts);
  }
  await engine.setVisibility(change.contentId, change.published, change.time);
}

/**
 * Stores a title the catalog shows now and makes it visible, as of now (a
 * later unpublish still wins); a title the catalog does not show leaves no trace.
 */
export async function learnTitle(
  engine: TasteEngine,
  source: CatalogSource,
  contentId: string,
): Promise<void> {
  const facts = await source.title(contentId);
  if (facts === undefined) return;
  await engine.putTitle(facts);
  await engine.setVisibility(contentId, true, Date.now());
}

/**
 * Pages through the whole published catalog and makes the projection match
 * it: every listed title is stored and visible, every other one hidden. A
 * change event newer than the sync's start still wins.
 */
export async function syncCatalog(
  engine: TasteEngine,
  source: CatalogSource,
  log: Logger,
): Promise<{ titles: number; hidden: number }> {
  const started = Date.now();
  const seen = new Set<string>();
  for await (const facts of source.browse()) {
    seen.add(facts.contentId);
    await engine.putTitle(facts);
    await engine.setVisibility(facts.contentId, true, started);
  }
  let hidden = 0;
  for (const t of await engine.publishedTitles()) {
    if (seen.has(t.contentId)) continue;
    await engine.setVisibility(t.contentId, false, started);
    hidden++;
  }
  try {
    await engine.setGenreNames(await source.genres());
  } catch (err) {
    log.warn({ err }, "genre names unavailable; using slugs");
  }
  log.info({ titles: seen.size, hidden }, "catalog synced");
  return { titles: seen.size, hidden };
}
