import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { VIDEO_LADDER } from "./ladder.js";

/**
 * The description of an asset on the standard ladder that has no segments:
 * enough for StreamContent to open sessions on it, for load runs whose
 * players report heartbeats but never fetch media.
 */
export function writeBareAsset(mediaDir: string, assetId: string, durationMs: number): void {
  mkdirSync(path.join(mediaDir, assetId), { recursive: true });
  writeFileSync(
    path.join(mediaDir, assetId, "asset.json"),
    JSON.stringify({
      assetId,
      durationMs,
      maxHeight: Math.max(...VIDEO_LADDER.map((r) => r.height)),
      renditions: VIDEO_LADDER,
      audioBitrateBps: 128_000,
    }),
  );
}
