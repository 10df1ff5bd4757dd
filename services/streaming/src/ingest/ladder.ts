/**
 * The DASH ladder ingest produces and the ffmpeg arguments that make it: five
 * H.264 renditions from 240p to 1080p at distinct bitrates, keyframes every
 * two seconds at the same instants in every rendition (fixed GOP, scene-cut
 * detection off), four-second CMAF segments, and an AAC stereo track per
 * audio language, cut at the same instants.
 * H.264/AAC in fMP4 is what Debian's headless Chromium plays through Media
 * Source Extensions (MediaSource.isTypeSupported says true for avc1/mp4a).
 */

export interface Rung {
  /** Representation id in the manifest and in segment names. */
  id: string;
  height: number;
  /** Width for 16:9. */
  width: number;
  bitrateBps: number;
}

export const VIDEO_LADDER: readonly Rung[] = [
  { id: "240p", height: 240, width: 426, bitrateBps: 300_000 },
  { id: "360p", height: 360, width: 640, bitrateBps: 700_000 },
  { id: "480p", height: 480, width: 854, bitrateBps: 1_200_000 },
  { id: "720p", height: 720, width: 1280, bitrateBps: 2_500_000 },
  { id: "1080p", height: 1080, width: 1920, bitrateBps: 4_500_000 },
];

export const AUDIO_ID = "audio";
export const AUDIO_BITRATE_BPS = 128_000;
export const SEGMENT_SECONDS = 4;
export const KEYFRAME_SECONDS = 2;

export interface LadderArgs {
  source: string;
  /** The manifest path to write (segments land beside it). */
  manifest: string;
  /** False when the source has no audio: a silent track is made so every title has one. */
  sourceHasAudio: boolean;
  /**
   * Audio beyond the source's first stream, each its own AdaptationSet: another
   * stream of the source (no `file`) or of another file, padded with silence
   * to the video's length, which `durationMs` gives.
   */
  extraAudio?: ReadonlyArray<{ file?: string; stream: number }>;
  durationMs?: number;
  /** x264 preset: "veryfast" by default, "ultrafast" for quick demo clips. */
  preset: string;
}

const kbit = (bps: number) => `${Math.round(bps / 1000)}k`;

/** ffmpeg arguments for the whole ladder in one pass (one decode, five encodes). */
export function ladderArgs(a: LadderArgs): string[] {
  const n = VIDEO_LADDER.length;
  const split = `[0:v]split=${n}${VIDEO_LADDER.map((_, i) => `[s${i}]`).join("")}`;
  const scales = VIDEO_LADDER.map(
    (r, i) =>
      `[s${i}]scale=${r.width}:${r.height}:force_original_aspect_ratio=decrease,pad=${r.width}:${r.height}:(ow-iw)/2:(oh-ih)/2,setdar=16/9[v${i}]`,
  );
  const extra = a.extraAudio ?? [];
  const args = ["-hide_banner", "-nostats", "-loglevel", "error", "-y", "-i", a.source];
  if (!a.sourceHasAudio) args.push("-f", "lavfi", "-i", "anullsrc=channel_layout=stereo:sample_rate=48000");
  const files = [...new Set(extra.flatMap((e) => (e.file === undefined ? [] : [e.file])))];
  for (const file of files) args.push("-i", file);
  const firstFile = a.sourceHasAudio ? 1 : 2;
  const pads = extra.flatMap((e, i) =>
    e.file === undefined ? [] : [`[${firstFile + files.indexOf(e.file)}:a:${e.stream}]apad[x${i}]`],
  );
  args.push("-filter_complex", [split, ...scales, ...pads].join(";"));
  VIDEO_LADDER.forEach((_, i) => {
    args.push("-map", `[v${i}]`);
  });
  args.push("-map", a.sourceHasAudio ? "0:a:0" : "1:a:0");
  extra.forEach((e, i) => {
    args.push("-map", e.file === undefined ? `0:a:${e.stream}` : `[x${i}]`);
  });
  if (!a.sourceHasAudio) args.push("-shortest");
  // Padded audio never ends by itself: the video's length ends it.
  if (pads.length > 0 && a.durationMs !== undefined) args.push("-t", (a.durationMs / 1000).toFixed(3));
  args.push(
    "-c:v",
    "libx264",
    "-preset",
    a.preset,
    "-profile:v",
    "main",
    "-pix_fmt",
    "yuv420p",
    "-sc_threshold",
    "0",
    "-force_key_frames",
    `expr:gte(t,n_forced*${KEYFRAME_SECONDS})`,
  );
  VIDEO_LADDER.forEach((r, i) => {
    args.push(
      `-b:v:${i}`,
      kbit(r.bitrateBps),
      `-maxrate:v:${i}`,
      kbit(r.bitrateBps * 1.1),
      `-bufsize:v:${i}`,
      kbit(r.bitrateBps * 2),
    );
  });
  args.push("-c:a", "aac", "-b:a", kbit(AUDIO_BITRATE_BPS), "-ac", "2", "-ar", "48000");
  args.push(
    "-f",
    "dash",
    "-seg_duration",
    String(SEGMENT_SECONDS),
    "-use_template",
    "1",
    "-use_timeline",
    "1",
    "-dash_segment_type",
    "mp4",
    "-adaptation_sets",
    ["id=0,streams=v", ...[undefined, ...extra].map((_, i) => `id=${i + 1},streams=${n + i}`)].join(" "),
    "-init_seg_name",
    "init-$RepresentationID$.m4s",
    "-media_seg_name",
    "chunk-$RepresentationID$-$Number%05d$.m4s",
    "-progress",
    "pipe:1",
    a.manifest,
  );
  return args;
}

/** The id of the `index`th audio track: "audio" for the first (as before there were more), then "audio2"… */
export function audioId(index: number): string {
  return index === 0 ? AUDIO_ID : `${AUDIO_ID}${index + 1}`;
}

/** ffmpeg's Representation ids are stream indexes: index → our rendition id. */
export function representationNames(audioTracks = 1): string[] {
  return [...VIDEO_LADDER.map((r) => r.id), ...Array.from({ length: audioTracks }, (_, i) => audioId(i))];
}

/** Seconds between thumbnails: ten or so per title, every 2 to 10 s. */
export function thumbnailInterval(durationMs: number): number {
  return Math.min(10, Math.max(2, Math.round(durationMs / 10_000)));
}

/** "Duration: 00:01:02.50" in ffmpeg's banner → 62500 ms. */
export function parseDuration(banner: string): number | undefined {
  const m = /Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(banner);
  if (!m) return undefined;
  return Math.round((Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1000);
}

/** The progress block line "out_time_us=…" (or the older, misnamed out_time_ms) → ms of output written. */
export function parseProgressLine(line: string): number | undefined {
  const m = /^out_time_(us|ms)=(\d+)$/.exec(line.trim());
  return m ? Math.floor(Number(m[2]) / 1000) : undefined;
}
