import { randomUUID } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { makeSyntheticSource, type PATTERNS } from "./synthetic.js";
import { type AssetInfo, INCOMING, transcodeToAsset } from "./transcode.js";

/** Of the progress, the part for writing the synthetic source (the rest: the ladder). */
const SOURCE_SHARE = 0.25;

export interface SyntheticAssetOptions {
  ffmpeg: string;
  mediaDir: string;
  assetId: string;
  preset: string;
  seconds: number;
  pattern?: (typeof PATTERNS)[number];
  /** A lavfi video graph of one's own, instead of `pattern`. */
  graph?: string;
  toneHz: number;
  onProgress?: (fraction: number, stage: string) => void;
  signal?: AbortSignal;
}

/**
 * A synthetic source written to a work file and ingested through the ingest
 * path into a published asset under `assetId`; the work file is removed
 * however it ends.
 */
export async function syntheticAsset(o: SyntheticAssetOptions): Promise<AssetInfo> {
  const progress = o.onProgress ?? (() => {});
  const work = path.join(o.mediaDir, INCOMING, `${o.assetId}-${randomUUID()}.mp4`);
  await mkdir(path.dirname(work), { recursive: true });
  try {
    progress(0, "writing the source");
    await makeSyntheticSource(o.ffmpeg, work, {
      seconds: o.seconds,
      ...(o.pattern === undefined ? {} : { pattern: o.pattern }),
      ...(o.graph === undefined ? {} : { graph: o.graph }),
      toneHz: o.toneHz,
      onProgress: (f) => progress(SOURCE_SHARE * f, "writing the source"),
      signal: o.signal,
    });
    return await transcodeToAsset({
      ffmpeg: o.ffmpeg,
      source: work,
      mediaDir: o.mediaDir,
      assetId: o.assetId,
      preset: o.preset,
      onProgress: (f, stage) => progress(SOURCE_SHARE + (1 - SOURCE_SHARE) * f, stage),
      signal: o.signal,
    });
  } finally {
    await rm(work, { force: true });
  }
}
