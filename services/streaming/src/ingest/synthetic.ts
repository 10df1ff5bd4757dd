import { runFfmpeg } from "./ffmpeg.js";
import { parseProgressLine } from "./ladder.js";

/**
 * ffmpeg's lavfi test patterns that make watchable synthetic sources; "varied" cycles through
 * scenes of different motion and detail, so the encoder spends bits differently over time.
 */
export const PATTERNS = ["testsrc2", "smptehdbars", "mandelbrot", "life", "rgbtestsrc", "varied"] as const;
type Pattern = (typeof PATTERNS)[number];

const LIFE =
  "life=size=480x270:rate=25:mold=10:ratio=0.5:death_color=#101040:life_color=#e0c040,scale=1920:1080:flags=neighbor";

/**
 * The scenes of "varied", still to busy, each `VARIED_SCENE_SECONDS` long: bars, a moving test
 * card, the card under noise (the hardest to encode), a scrolling automaton, bars changing hue.
 * All cheap to generate (a fractal or life at 1080p took seconds per second of video here).
 */
const VARIED_SCENES = [
  "smptehdbars=size=1920x1080:rate=25",
  "testsrc2=size=1920x1080:rate=25",
  "testsrc2=size=1920x1080:rate=25,noise=alls=24:allf=t",
  "cellauto=size=480x270:rate=25:rule=110,scale=1920:1080:flags=neighbor",
  "smptehdbars=size=1920x1080:rate=25,hue=H=t",
];
const VARIED_SCENE_SECONDS = 20;

/** The lavfi graph of a pattern, `seconds` long where the pattern needs to know. */
function patternGraph(pattern: Pattern, seconds: number): string {
  if (pattern === "life") return LIFE;
  if (pattern === "mandelbrot") return "mandelbrot=size=960x540:rate=25,scale=1920:1080";
  if (pattern !== "varied") return `${pattern}=size=1920x1080:rate=25`;
  const n = Math.max(1, Math.ceil(seconds / VARIED_SCENE_SECONDS));
  const scenes = Array.from(
    { length: n },
    (_, i) =>
      `${VARIED_SCENES[i % VARIED_SCENES.length]},trim=duration=${VARIED_SCENE_SECONDS},setpts=PTS-STARTPTS,format=yuv420p,setsar=1[s${i}]`,
  );
  return `${scenes.join(";")};${scenes.map((_, i) => `[s${i}]`).join("")}concat=n=${n}:v=1:a=0`;
}

/**
 * Writes a synthetic 1080p source: a test pattern (or a lavfi `graph` of one's
 * own) with a tone, `seconds` long; `onProgress` hears the fraction written,
 * `signal` stops it (see runFfmpeg).
 */
export async function makeSyntheticSource(
  ffmpeg: string,
  out: string,
  opts: {
    seconds: number;
    pattern?: Pattern;
    /** A lavfi video graph making 1920x1080 frames, instead of `pattern`. */
    graph?: string;
    toneHz?: number;
    onProgress?: (fraction: number) => void;
    signal?: AbortSignal;
  },
): Promise<void> {
  const video = opts.graph ?? patternGraph(opts.pattern ?? "testsrc2", opts.seconds);
  const args = [
    "-hide_banner",
    "-loglevel",
    "error",
    "-nostats",
    "-progress",
    "pipe:1",
    "-y",
    "-f",
    "lavfi",
    "-i",
    video,
    "-f",
    "lavfi",
    "-i",
    `sine=frequency=${opts.toneHz ?? 440}:sample_rate=48000`,
    "-t",
    String(opts.seconds),
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-pix_fmt",
    "yuv420p",
    "-c:a",
    "aac",
    out,
  ];
  await runFfmpeg(ffmpeg, args, {
    signal: opts.signal,
    onStdoutLine(line) {
      const doneMs = parseProgressLine(line);
      if (doneMs !== undefined) opts.onProgress?.(Math.min(1, doneMs / (opts.seconds * 1000)));
    },
  });
}

/** Writes a synthetic audio source: a tone of its own per language, so a listener hears which one plays. */
export async function makeSyntheticAudio(
  ffmpeg: string,
  out: string,
  opts: { seconds: number; toneHz: number; signal?: AbortSignal },
): Promise<void> {
  await runFfmpeg(
    ffmpeg,
    [
      "-hide_banner",
      "-loglevel",
      "error",
      "-y",
      "-f",
      "lavfi",
      "-i",
      `sine=frequency=${opts.toneHz}:sample_rate=48000`,
      "-t",
      String(opts.seconds),
      "-c:a",
      "aac",
      out,
    ],
    { signal: opts.signal },
  );
}
