import { randomUUID } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { makeSyntheticAudio, makeSyntheticSource, type PATTERNS } from "./synthetic.js";
import { syntheticWebVtt } from "./synthetic-cues.js";
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
  /** Language of the source's tone; "und" when not given. */
  audioLanguage?: string;
  /** Dubbed audio, each language a tone of its own, made as separate files and ingested with the source. */
  dubs?: ReadonlyArray<{ language: string; toneHz: number }>;
  /** Languages to make subtitles in: cues with known times (synthetic-cues), ingested as WebVTT files. */
  subtitles?: readonly string[];
  onProgress?: (fraction: number, stage: string) => void;
  signal?: AbortSignal;
}

/**
 * A synthetic source written to a work file (with its dubs and subtitles, if
 * any) and ingested through the ingest path into a published asset under
 * `assetId`; the work files are removed however it ends.
 */
export async function syntheticAsset(o: SyntheticAssetOptions): Promise<AssetInfo> {
  const progress = o.onProgress ?? (() => {});
  const stem = path.join(o.mediaDir, INCOMING, `${o.assetId}-${randomUUID()}`);
  const work = `${stem}.mp4`;
  const dubs = (o.dubs ?? []).map((d) => ({ ...d, file: `${stem}-${d.language}.m4a` }));
  const subtitles = (o.subtitles ?? []).map((language) => ({ language, file: `${stem}-${language}.vtt` }));
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
    for (const d of dubs)
      await makeSyntheticAudio(o.ffmpeg, d.file, { seconds: o.seconds, toneHz: d.toneHz, signal: o.signal });
    for (const s of subtitles) await writeFile(s.file, syntheticWebVtt(s.language, o.seconds));
    return await transcodeToAsset({
      ffmpeg: o.ffmpeg,
      source: work,
      mediaDir: o.mediaDir,
      assetId: o.assetId,
      preset: o.preset,
      ...(o.audioLanguage === undefined ? {} : { audioLanguage: o.audioLanguage }),
      audioTracks: dubs.map((d) => ({ file: d.file, stream: 0, language: d.language, role: "dub" as const })),
      textTracks: subtitles.map((s) => ({ file: s.file, language: s.language, kind: "subtitles" as const })),
      onProgress: (f, stage) => progress(SOURCE_SHARE + (1 - SOURCE_SHARE) * f, stage),
      signal: o.signal,
    });
  } finally {
    for (const file of [work, ...dubs.map((d) => d.file), ...subtitles.map((s) => s.file)])
      await rm(file, { force: true });
  }
}
