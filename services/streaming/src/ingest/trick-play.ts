/**
 * Trick-play at ingest: a small frame every few seconds, tiled into JPEG
 * sprite sheets, and a WebVTT track whose cues name the tile of each interval
 * (`sprite-001.jpg#xywh=x,y,w,h`), the form media-chrome's seek bar previews.
 * The files sit beside the segments and are served, like them, only on a
 * session's signed path (media-origin.ts).
 */
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { FfmpegError, QUIET, runFfmpeg } from "./ffmpeg.js";

/** What ingest made for trick-play, in the asset's description (absent in assets made before). */
export interface TrickPlay {
  /** The WebVTT thumbnails track, in the asset's directory. */
  track: string;
  /** The sprite sheets the cues point at, in order. */
  sprites: string[];
  intervalSeconds: number;
  tileWidth: number;
  tileHeight: number;
}

export const TRICK_PLAY_TRACK = "thumbnails.vtt";
/** The files of trick-play a signed media path may name. */
export const TRICK_PLAY_FILE = /^(?:thumbnails\.vtt|sprite-\d{3}\.jpg)$/;
/** 16:9 tiles, big enough to recognise a scene above the seek bar, small enough for 100 per sheet. */
export const TILE_WIDTH = 192;
export const TILE_HEIGHT = 108;
const COLUMNS = 10;
const ROWS = 10;
/** Frames tiled into sprites, in a work directory of their own that goes once the sprites exist. */
const FRAMES_DIR = "trick-frames";

/** Seconds between previews: every 2 s for titles up to 10 minutes, at most ~300 tiles beyond, never more than 10 s apart. */
export function trickPlayInterval(durationMs: number): number {
  return Math.min(10, Math.max(2, Math.ceil(durationMs / 1000 / 300)));
}

export const spriteName = (index: number): string => `sprite-${String(index + 1).padStart(3, "0")}.jpg`;

/** The grid of a sheet for `count` tiles: one row when they fit, else up to 10 × 10. */
export function spriteGrid(count: number): { columns: number; rows: number } {
  const columns = Math.max(1, Math.min(COLUMNS, count));
  return { columns, rows: Math.max(1, Math.min(ROWS, Math.ceil(count / columns))) };
}

/** "00:01:02.500" */
function vttTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/**
 * The thumbnails track for `count` tiles taken every `intervalSeconds`: cue
 * k covers [k·interval, (k+1)·interval), the last one up to the end of the
 * title, so every instant has a tile; tiles at or past the end are left out.
 */
export function thumbnailsVtt(count: number, intervalSeconds: number, durationMs: number): string {
  const end = durationMs / 1000;
  const { columns, rows } = spriteGrid(count);
  const perSprite = columns * rows;
  const cues: string[] = [];
  const tiles = Math.max(1, Math.min(count, Math.ceil(end / intervalSeconds)));
  for (let k = 0; k < tiles; k++) {
    const start = k * intervalSeconds;
    const stop = k === tiles - 1 ? end : Math.min(end, start + intervalSeconds);
    const within = k % perSprite;
    const x = (within % columns) * TILE_WIDTH;
    const y = Math.floor(within / columns) * TILE_HEIGHT;
    cues.push(
      `${vttTime(start)} --> ${vttTime(stop)}\n${spriteName(Math.floor(k / perSprite))}#xywh=${x},${y},${TILE_WIDTH},${TILE_HEIGHT}`,
    );
  }
  return `WEBVTT\n\n${cues.join("\n\n")}\n`;
}

/**
 * Makes the sprites and the thumbnails track of `source` in `dir`: one pass
 * takes the frames (letterboxed to 16:9), a second tiles them; the frames are
 * counted between the two, so the track names exactly the tiles there are.
 */
export async function makeTrickPlay(o: {
  ffmpeg: string;
  source: string;
  dir: string;
  durationMs: number;
  signal?: AbortSignal;
}): Promise<TrickPlay> {
  const intervalSeconds = trickPlayInterval(o.durationMs);
  const frames = path.join(o.dir, FRAMES_DIR);
  await mkdir(frames, { recursive: true });
  const w = TILE_WIDTH;
  const h = TILE_HEIGHT;
  await runFfmpeg(
    o.ffmpeg,
    [
      ...QUIET,
      "-i",
      o.source,
      "-an",
      "-sn",
      "-vf",
      `fps=1/${intervalSeconds},scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1`,
      path.join(frames, "%05d.png"),
    ],
    { signal: o.signal },
  );
  const count = (await readdir(frames)).filter((f) => /^\d{5}\.png$/.test(f)).length;
  if (count === 0) throw new FfmpegError("the source gave no frames for the seek bar's previews");
  const { columns, rows } = spriteGrid(count);
  await runFfmpeg(
    o.ffmpeg,
    [
      ...QUIET,
      "-framerate",
      "1",
      "-i",
      path.join(frames, "%05d.png"),
      "-vf",
      `tile=${columns}x${rows}`,
      "-q:v",
      "5",
      path.join(o.dir, "sprite-%03d.jpg"),
    ],
    { signal: o.signal },
  );
  await rm(frames, { recursive: true, force: true });
  const sprites = (await readdir(o.dir)).filter((f) => /^sprite-\d{3}\.jpg$/.test(f)).sort();
  await writeFile(path.join(o.dir, TRICK_PLAY_TRACK), thumbnailsVtt(count, intervalSeconds, o.durationMs));
  return { track: TRICK_PLAY_TRACK, sprites, intervalSeconds, tileWidth: w, tileHeight: h };
}
