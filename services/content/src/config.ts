import { envs, loadConfig } from "@marquee/kit";
import { z } from "zod";
import { DEFAULT_CATALOG_SIZE } from "./catalog/generate.js";
import { DEFAULT_SEARCH_ALIAS } from "./search-opensearch.js";

/** The content service's own settings (backends come from loadBackendsConfig). */
export function loadContentConfig(env: Record<string, string | undefined> = process.env) {
  const c = loadConfig(
    {
      MARQUEE_CONTENT_SEARCH_ALIAS: z
        .string()
        .regex(/^[a-z][a-z0-9-]{0,60}$/, "a lower-case OpenSearch alias name")
        .default(DEFAULT_SEARCH_ALIAS),
      MARQUEE_CONTENT_SEED_ON_EMPTY: envs.flag(true),
      MARQUEE_CONTENT_SEED_SIZE: z.coerce.number().int().min(50).max(200_000).default(DEFAULT_CATALOG_SIZE),
      MARQUEE_CONTENT_TRENDING_HALF_LIFE_MS: envs.millis(6 * 3_600_000),
      MARQUEE_CONTENT_TRENDING_CACHE_MS: z.coerce.number().int().min(0).default(10_000),
      MARQUEE_CONTENT_GENRE_CACHE_MS: z.coerce.number().int().min(0).default(30_000),
      /** How often visibility events still owed (the bus was down when the title was written) are retried. */
      MARQUEE_CONTENT_OUTBOX_INTERVAL_MS: envs.millis(30_000),
      /** Where generated posters and backdrops are kept (default: artwork/ in the embedded data folder). */
      MARQUEE_CONTENT_ARTWORK_DIR: z.string().min(1).optional(),
    },
    env,
  );
  return {
    searchAlias: c.MARQUEE_CONTENT_SEARCH_ALIAS,
    seedOnEmpty: c.MARQUEE_CONTENT_SEED_ON_EMPTY,
    seedSize: c.MARQUEE_CONTENT_SEED_SIZE,
    trendingHalfLifeMs: c.MARQUEE_CONTENT_TRENDING_HALF_LIFE_MS,
    trendingCacheMs: c.MARQUEE_CONTENT_TRENDING_CACHE_MS,
    genreCacheMs: c.MARQUEE_CONTENT_GENRE_CACHE_MS,
    outboxIntervalMs: c.MARQUEE_CONTENT_OUTBOX_INTERVAL_MS,
    artworkDir: c.MARQUEE_CONTENT_ARTWORK_DIR,
  };
}

export type ContentConfig = ReturnType<typeof loadContentConfig>;
