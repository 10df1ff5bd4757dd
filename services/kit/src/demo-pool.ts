/**
 * The demo media pool: a few short synthetic clips of distinct looks that the
 * streaming service ingests after the demo titles, and that every seeded
 * catalog title and episode points at by asset id (no file is copied), so the
 * whole seeded catalog plays. Here once because two services meet on it: the
 * content seed writes the references, streaming makes the assets under these ids.
 */

import { fnv1a } from "./random.js";

/** How many clips the pool has. */
export const DEMO_POOL_SIZE = 10;

/** Length of a pool clip: a whole number of the ladder's 4-second segments. */
export const DEMO_POOL_SECONDS = 24;

/** Tallest rendition of a pool clip (the top of ingest's ladder). */
const DEMO_POOL_MAX_HEIGHT = 1080;

/** The asset id of pool clip `index` (0-based): "demo-pool-01" … */
export function demoPoolAssetId(index: number): string {
  return `demo-pool-${String(index + 1).padStart(2, "0")}`;
}

/** What a title or episode that plays a pool clip records as its media. */
export interface DemoPoolMedia {
  assetId: string;
  manifestPath: string;
  durationMs: number;
  maxHeight: number;
}

/**
 * The pool clip a title or episode plays, picked by a hash of its id: the same
 * on every seed, spread evenly over the pool, neighbours mostly different.
 */
export function demoPoolMedia(id: string): DemoPoolMedia {
  const assetId = demoPoolAssetId(fnv1a(id) % DEMO_POOL_SIZE);
  return {
    assetId,
    manifestPath: `${assetId}/manifest.mpd`,
    durationMs: DEMO_POOL_SECONDS * 1000,
    maxHeight: DEMO_POOL_MAX_HEIGHT,
  };
}
