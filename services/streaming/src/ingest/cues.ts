/**
 * Subtitle files as ingest takes them: WebVTT, or SubRip (SRT) converted to
 * WebVTT. A file is read whole and checked cue by cue before anything is
 * published, so a track the player could not show fails the ingest instead.
 */

export interface Cue {
  startMs: number;
  endMs: number;
  /** Cue settings after the timings (WebVTT only), e.g. "line:90%". */
  settings: string;
  text: string;
}

export class CueError extends Error {
  override name = "CueError";
}

const VTT_TIME = /^(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})$/;
const SRT_TIME = /^(\d{1,}):([0-5]\d):([0-5]\d)[,.](\d{3})$/;

function toMs(text: string, pattern: RegExp): number | undefined {
  const m = pattern.exec(text);
  if (!m) return undefined;
  return ((Number(m[1] ?? 0) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]);
}

function stamp(ms: number): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/** Blocks separated by blank lines, each with the number of its first line (1-based). */
function blocks(text: string): Array<{ line: number; lines: string[] }> {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  const out: Array<{ line: number; lines: string[] }> = [];
  let current: { line: number; lines: string[] } | undefined;
  lines.forEach((l, i) => {
    if (l.trim() === "") {
      current = undefined;
      return;
    }
    if (current === undefined) {
      current = { line: i + 1, lines: [] };
      out.push(current);
    }
    current.lines.push(l);
  });
  return out;
}

function timing(
  line: string,
  pattern: RegExp,
  where: string,
): { startMs: number; endMs: number; settings: string } {
  const [start = "", rest = ""] = line.split("-->").map((s) => s.trim());
  const [end = "", ...settings] = rest.split(/\s+/);
  const startMs = toMs(start, pattern);
  const endMs = toMs(end, pattern);
  if (startMs === undefined || endMs === undefined)
    throw new CueError(`${where}: "${line}" is not a cue timing (start --> end)`);
  if (endMs <= startMs) throw new CueError(`${where}: the cue ends before it starts`);
  return { startMs, endMs, settings: settings.join(" ") };
}

/** The cues of a WebVTT file; throws CueError naming the line at fault. */
function parseWebVtt(text: string, name: string): Cue[] {
  const [header, ...rest] = blocks(text);
  if (header === undefined || !/^WEBVTT(?:[ \t].*)?$/.test(header.lines[0] ?? ""))
    throw new CueError(`${name}: a WebVTT file starts with the line WEBVTT`);
  const cues: Cue[] = [];
  for (const b of rest) {
    const first = b.lines[0] ?? "";
    if (/^(NOTE|STYLE|REGION)\b/.test(first)) continue;
    const timingAt = first.includes("-->") ? 0 : 1;
    const timingLine = b.lines[timingAt];
    const where = `${name} line ${b.line + timingAt}`;
    if (timingLine === undefined || !timingLine.includes("-->"))
      throw new CueError(`${where}: expected a cue timing (00:00:01.000 --> 00:00:04.000)`);
    const text = b.lines.slice(timingAt + 1).join("\n");
    if (text.trim() === "") throw new CueError(`${where}: the cue has no text`);
    cues.push({ ...timing(timingLine, VTT_TIME, where), text });
  }
  return cues;
}

/** The cues of a SubRip file; throws CueError naming the line at fault. */
function parseSrt(text: string, name: string): Cue[] {
  return blocks(text).map((b) => {
    const timingAt = b.lines[0]?.includes("-->") ? 0 : 1;
    const where = `${name} line ${b.line + timingAt}`;
    const timingLine = b.lines[timingAt];
    if (timingAt === 1 && !/^\d+$/.test((b.lines[0] ?? "").trim()))
      throw new CueError(`${name} line ${b.line}: expected a cue number or timing`);
    if (timingLine === undefined || !timingLine.includes("-->"))
      throw new CueError(`${where}: expected a cue timing (00:00:01,000 --> 00:00:04,000)`);
    const text = b.lines.slice(timingAt + 1).join("\n");
    if (text.trim() === "") throw new CueError(`${where}: the cue has no text`);
    const { startMs, endMs } = timing(timingLine, SRT_TIME, where);
    return { startMs, endMs, settings: "", text };
  });
}

/**
 * The cues of a subtitle file by its extension (.vtt or .srt); throws
 * CueError when it cannot be read as one or holds no cue at all.
 */
export function parseSubtitles(text: string, name: string): Cue[] {
  const lower = name.toLowerCase();
  if (!lower.endsWith(".vtt") && !lower.endsWith(".srt"))
    throw new CueError(`${name}: subtitles must be WebVTT (.vtt) or SubRip (.srt)`);
  const cues = lower.endsWith(".vtt") ? parseWebVtt(text, name) : parseSrt(text, name);
  if (cues.length === 0) throw new CueError(`${name}: the file holds no cue`);
  return cues;
}

/** A WebVTT file of the cues. */
export function writeWebVtt(cues: readonly Cue[]): string {
  const body = cues.map(
    (c) => `${stamp(c.startMs)} --> ${stamp(c.endMs)}${c.settings === "" ? "" : ` ${c.settings}`}\n${c.text}`,
  );
  return `WEBVTT\n\n${body.join("\n\n")}\n`;
}
