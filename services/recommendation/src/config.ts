import { dependencyVars, envs, loadConfig, serviceUrl } from "@marquee/kit";
import { z } from "zod";

/** The recommendation service's own settings, read and checked once at start. */
export function loadRecommendationConfig(env: Record<string, string | undefined> = process.env) {
  const c = loadConfig(
    {
      MARQUEE_LOG_LEVEL: envs.logLevel(),
      /** How long the start waits for the content service (the catalog comes from it). */
      ...dependencyVars,
      /** Full rebuild of the model from the store (incremental updates run in between). */
      MARQUEE_RECOMMENDATION_REBUILD_INTERVAL_MS: envs.millis(3_600_000),
      /** Full pass over the content service's catalog (events keep it current in between). */
      MARQUEE_RECOMMENDATION_CATALOG_SYNC_INTERVAL_MS: envs.millis(900_000),
      /** Retraining of the learned weights from the live profiles, when they changed (erasures included). */
      MARQUEE_RECOMMENDATION_RETRAIN_INTERVAL_MS: envs.millis(300_000),
      /** How stale the popular and trending rankings may be served while events change them. */
      MARQUEE_RECOMMENDATION_MAX_STALENESS_MS: z.coerce.number().int().min(0).max(600_000).default(1_000),
      /** Neighbours each title's weights come from (and listed per title). */
      MARQUEE_RECOMMENDATION_NEIGHBOURS: z.coerce.number().int().min(5).max(500).default(128),
      /** L2 penalty of the learned weights, as a multiple of a title's mean audience. */
      MARQUEE_RECOMMENDATION_L2: z.coerce.number().positive().max(1_000).default(8),
    },
    env,
  );
  return {
    logLevel: c.MARQUEE_LOG_LEVEL,
    rebuildIntervalMs: c.MARQUEE_RECOMMENDATION_REBUILD_INTERVAL_MS,
    catalogSyncIntervalMs: c.MARQUEE_RECOMMENDATION_CATALOG_SYNC_INTERVAL_MS,
    retrainIntervalMs: c.MARQUEE_RECOMMENDATION_RETRAIN_INTERVAL_MS,
    neighbours: c.MARQUEE_RECOMMENDATION_NEIGHBOURS,
    l2: c.MARQUEE_RECOMMENDATION_L2,
    maxStalenessMs: c.MARQUEE_RECOMMENDATION_MAX_STALENESS_MS,
    contentUrl: serviceUrl("content", env),
    dependencyTimeoutMs: c.MARQUEE_DEPENDENCY_TIMEOUT_MS,
  };
}
