import { runFfmpeg } from "./ffmpeg.js";

/** ffmpeg's lavfi test patterns that make watchable synthetic sources. */
export const PATTERNS = ["testsrc2", "smptehdbars", "mandelbrot", "life", "rgbtestsrc"] as const;

/** Writes a synthetic 1080p source: a test pattern with a tone, `seconds` long. */
export async function makeSyntheticSource(
  ffmpeg: string,
  out: string,
  opts: { seconds: number; pattern?: (typeof PATTERNS)[number]; toneHz?: number },
): Promise<void> {
  const pattern = opts.pattern ?? "testsrc2";
  const video =
    pattern === "life"
      ? `life=size=480x270:rate=25:mold=10:ratio=0.5:death_color=#101040:life_color=#e0c040,scale=1920:1080:flags=neighbor`
      : pattern === "mandelbrot"
        ? "mandelbrot=size=960x540:rate=25,scale=1920:1080"
        : `${pattern}=size=1920x1080:rate=25`;
  await runFfmpeg(ffmpeg, [
    "-hide_banner",
    "-loglevel",
    "error",
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
  ]);
}
