import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { FfmpegError, QUIET, runFfmpeg, throwIfStopped } from "./ffmpeg.js";
import {
  AUDIO_BITRATE_BPS,
  AUDIO_ID,
  ladderArgs,
  parseDuration,
  parseProgressLine,
  type Rung,
  representationNames,
  thumbnailInterval,
  VIDEO_LADDER,
} from "./ladder.js";
import { prepareAudioTracks, prepareTextTracks, publishTracks } from "./prepare-tracks.js";
import type { AudioTrack, AudioTrackInput, TextTrack, TextTrackInput } from "./tracks.js";
import { makeTrickPlay, type TrickPlay } from "./trick-play.js";

/** What ingest made of a source: a published asset directory under the media dir. */
export interface AssetInfo {
  assetId: string;
  durationMs: number;
  maxHeight: number;
  renditions: Rung[];
  audioBitrateBps: number;
  /** One AdaptationSet per language (absent in assets made before there were several). */
  audioTracks?: AudioTrack[];
  textTracks?: TextTrack[];
  /** Relative to the media origin: "<assetId>/manifest.mpd". */
  manifestPath: string;
  /** Public artwork paths on the media origin. */
  posterPath: string;
  thumbnailPath: string;
  /** The seek bar's previews: sprites and their WebVTT track, served on the session's signed path (absent in assets made before). */
  trickPlay?: TrickPlay;
}

export interface TranscodeOptions {
  ffmpeg: string;
  source: string;
  mediaDir: string;
  assetId: string;
  preset?: string;
  /** Language of the source's first audio stream (BCP 47); "und" when not given. */
  audioLanguage?: string;
  /** Audio in more languages: other streams of the source or other files. */
  audioTracks?: readonly AudioTrackInput[];
  /** Subtitle and caption files (WebVTT or SRT); an empty or unreadable one fails the ingest. */
  textTracks?: readonly TextTrackInput[];
  /** Called with 0..1 and what is happening. */
  onProgress?: (fraction: number, stage: string) => void;
  signal?: AbortSignal;
}

/** Work directories live here until they are complete; a half-done one is never published. */
export const INCOMING = ".incoming";

/**
 * Transcodes a source into a DASH ladder with poster, thumbnails and the seek
 * bar's preview sprites (trick-play.ts), in a private work directory that is
 * renamed into place only when complete (an atomic rename on one
 * filesystem): an interrupted ingest leaves nothing published and can simply
 * be run again. `signal` stops it at any step, killing the ffmpeg running then.
 */
export async function transcodeToAsset(o: TranscodeOptions): Promise<AssetInfo> {
  const progress = o.onProgress ?? (() => {});
  const work = path.join(o.mediaDir, INCOMING, `${o.assetId}-${randomBytes(4).toString("hex")}`);
  const final = path.join(o.mediaDir, o.assetId);
  await mkdir(work, { recursive: true });
  try {
    progress(0, "probing the source");
    await stat(o.source).catch(() => {
      throw new FfmpegError(`source ${o.source} does not exist`);
    });
    const banner = await runFfmpeg(o.ffmpeg, ["-hide_banner", "-i", o.source], {
      allowFailure: true,
      signal: o.signal,
    });
    const durationMs = parseDuration(banner);
    if (durationMs === undefined || !/Stream #.*Video:/.test(banner)) {
      throw new FfmpegError(`${path.basename(o.source)} is not a video ffmpeg can read`);
    }
    const sourceHasAudio = /Stream #.*Audio:/.test(banner);
    progress(0.005, "checking the tracks");
    const text = await prepareTextTracks(o.textTracks ?? []);
    const audio = await prepareAudioTracks(
      o.ffmpeg,
      banner,
      o.audioLanguage ?? "und",
      o.audioTracks ?? [],
      o.signal,
    );

    progress(0.01, "encoding the ladder");
    const manifest = path.join(work, "manifest.mpd");
    await runFfmpeg(
      o.ffmpeg,
      ladderArgs({
        source: o.source,
        manifest,
        sourceHasAudio,
        extraAudio: o.audioTracks ?? [],
        durationMs,
        preset: o.preset ?? "veryfast",
      }),
      {
        signal: o.signal,
        onStdoutLine(line) {
          const doneMs = parseProgressLine(line);
          if (doneMs !== undefined)
            progress(0.01 + 0.89 * Math.min(1, doneMs / durationMs), "encoding the ladder");
        },
      },
    );

    progress(0.9, "naming renditions");
    throwIfStopped(o.signal);
    await nameRenditions(work, audio.length);
    await publishTracks(work, audio, text);

    progress(0.92, "poster and thumbnails");
    const posterAt = (durationMs / 1000) * 0.1;
    await runFfmpeg(
      o.ffmpeg,
      [
        ...QUIET,
        "-ss",
        posterAt.toFixed(2),
        "-i",
        o.source,
        "-frames:v",
        "1",
        "-vf",
        "scale=-2:720",
        "-q:v",
        "3",
        path.join(work, "poster.jpg"),
      ],
      { signal: o.signal },
    );
    await runFfmpeg(
      o.ffmpeg,
      [
        ...QUIET,
        "-i",
        o.source,
        "-vf",
        `fps=1/${thumbnailInterval(durationMs)},scale=320:-2`,
        "-q:v",
        "5",
        path.join(work, "thumb-%04d.jpg"),
      ],
      { signal: o.signal },
    );
    progress(0.95, "seek bar previews");
    const trickPlay = await makeTrickPlay({
      ffmpeg: o.ffmpeg,
      source: o.source,
      dir: work,
      durationMs,
      signal: o.signal,
    });

    const info: AssetInfo = {
      assetId: o.assetId,
      durationMs,
      maxHeight: Math.max(...VIDEO_LADDER.map((r) => r.height)),
      renditions: [...VIDEO_LADDER],
      audioBitrateBps: AUDIO_BITRATE_BPS,
      audioTracks: audio,
      textTracks: text.map((t) => t.track),
      manifestPath: `${o.assetId}/manifest.mpd`,
      posterPath: `/media/art/${o.assetId}/poster.jpg`,
      thumbnailPath: `/media/art/${o.assetId}/thumb-0001.jpg`,
      trickPlay,
    };
    await writeFile(path.join(work, "asset.json"), JSON.stringify(info, null, 2));
    // Past this point the asset is published: a stop asked for before it publishes nothing.
    throwIfStopped(o.signal);
    progress(0.98, "publishing");
    await rm(final, { recursive: true, force: true });
    await rename(work, final);
    progress(1, "done");
    return info;
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    throw err;
  }
}

/** ffmpeg names Representations 0..n; give them the ladder's names, in the manifest and the files. */
async function nameRenditions(dir: string, audioTracks: number): Promise<void> {
  const names = representationNames(audioTracks);
  for (const file of await readdir(dir)) {
    const m = /^(init|chunk)-(\d+)(\.m4s|-\d+\.m4s)$/.exec(file);
    if (!m) continue;
    const name = names[Number(m[2])];
    if (name === undefined) throw new FfmpegError(`unexpected representation in ${file}`);
    await rename(path.join(dir, file), path.join(dir, `${m[1]}-${name}${m[3]}`));
  }
  const manifest = path.join(dir, "manifest.mpd");
  const mpd = await readFile(manifest, "utf8");
  const renamed = mpd.replace(/<Representation id="(\d+)"/g, (whole, index: string) => {
    const name = names[Number(index)];
    return name === undefined ? whole : `<Representation id="${name}"`;
  });
  if (!renamed.includes(`id="${AUDIO_ID}"`)) throw new FfmpegError("the manifest has no audio track");
  await writeFile(manifest, renamed);
}

/** The asset's description written by ingest, or undefined when it is not (fully) published. */
export async function readAsset(mediaDir: string, assetId: string): Promise<AssetInfo | undefined> {
  if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(assetId)) return undefined;
  try {
    return JSON.parse(await readFile(path.join(mediaDir, assetId, "asset.json"), "utf8")) as AssetInfo;
  } catch {
    return undefined;
  }
}

/** Removes work directories left by ingests that died more than `olderThanMs` ago. */
export async function sweepIncoming(mediaDir: string, olderThanMs: number): Promise<void> {
  const dir = path.join(mediaDir, INCOMING);
  const entries = await readdir(dir).catch(() => [] as string[]);
  for (const entry of entries) {
    const s = await stat(path.join(dir, entry)).catch(() => undefined);
    if (s && Date.now() - s.mtimeMs > olderThanMs)
      await rm(path.join(dir, entry), { recursive: true, force: true });
  }
}
