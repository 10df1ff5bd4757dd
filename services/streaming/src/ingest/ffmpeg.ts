import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";

/**
 * Which ffmpeg to run: MARQUEE_FFMPEG_PATH if set; else one found on the
 * system PATH (Debian's 5.1 encodes this ladder about twice as fast here as
 * the 2018 static build); else the one `npm install` brought
 * (@ffmpeg-installer/ffmpeg).
 */
export function resolveFfmpeg(env: Record<string, string | undefined> = process.env): string {
  const configured = env.MARQUEE_FFMPEG_PATH;
  if (configured !== undefined && configured !== "") return configured;
  const onPath = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" });
  if (onPath.status === 0) return "ffmpeg";
  const fromNpm = (createRequire(import.meta.url)("@ffmpeg-installer/ffmpeg") as { path: string }).path;
  if (existsSync(fromNpm)) return fromNpm;
  throw new Error("no ffmpeg found: install one or set MARQUEE_FFMPEG_PATH");
}

/** How a run that writes files starts: no banner, errors only, overwriting what is there. */
export const QUIET = ["-hide_banner", "-loglevel", "error", "-y"] as const;

export class FfmpegError extends Error {
  override name = "FfmpegError";
}

/** Throws when `signal` has aborted: the ingest was asked to stop (an FfmpegError, its cause the signal's reason). */
export function throwIfStopped(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new FfmpegError("the ingest was stopped", { cause: signal.reason });
}

/** ffmpeg processes running now: the process kills any still running when it exits, however it exits. */
const running = new Set<ChildProcess>();
let killOnExit = false;

function track(child: ChildProcess): void {
  running.add(child);
  child.once("exit", () => running.delete(child));
  if (killOnExit) return;
  killOnExit = true;
  process.once("exit", () => {
    for (const c of running) c.kill("SIGKILL");
  });
}

/**
 * Runs ffmpeg; lines it writes to stdout (the -progress pipe) go to
 * `onStdoutLine`. Resolves with stderr on success, rejects with its tail on
 * failure. When `signal` aborts, ffmpeg is killed (SIGKILL: what it was
 * writing is thrown away anyway) and the promise rejects (throwIfStopped)
 * once the process is gone, so no ffmpeg outlives its caller; one aborted
 * before the start does not start.
 */
export function runFfmpeg(
  ffmpeg: string,
  args: string[],
  opts: { onStdoutLine?: (line: string) => void; signal?: AbortSignal; allowFailure?: boolean } = {},
): Promise<string> {
  const { signal } = opts;
  return new Promise((resolve, reject) => {
    throwIfStopped(signal);
    const child = spawn(ffmpeg, args, { stdio: ["ignore", "pipe", "pipe"] });
    track(child);
    const kill = () => child.kill("SIGKILL");
    signal?.addEventListener("abort", kill, { once: true });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-64_000);
    });
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => opts.onStdoutLine?.(line));
    child.on("error", (err) => {
      signal?.removeEventListener("abort", kill);
      reject(new FfmpegError(`ffmpeg could not run: ${err.message}`));
    });
    child.on("close", (code) => {
      signal?.removeEventListener("abort", kill);
      if (signal?.aborted) reject(new FfmpegError("the ingest was stopped", { cause: signal.reason }));
      else if (code === 0 || opts.allowFailure) resolve(stderr);
      else
        reject(
          new FfmpegError(`ffmpeg exited with ${code}: ${stderr.trim().split("\n").slice(-3).join(" / ")}`),
        );
    });
  });
}
