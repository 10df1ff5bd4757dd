/**
 * Pure playback rules: what a heartbeat does to progress and history, how a
 * plan trims the ladder, and time bucketing. Imports nothing of RPC or storage.
 */
import { randomBytes } from "node:crypto";

/** Below this share of the running time nothing is saved. */
const MIN_SAVED_FRACTION = 0.05;
/** At or above this share the title counts as completed (no resume offered). */
const COMPLETED_FRACTION = 0.9;
/** A position may pass the running time by this much (rounding of the last segment). */
const POSITION_TOLERANCE_MS = 2_000;

export type ProgressVerdict = { save: false } | { save: true; completed: boolean };

/** What a reading at `positionMs` of a `durationMs` title means for progress. */
export function judgeProgress(positionMs: number, durationMs: number): ProgressVerdict {
  if (durationMs <= 0) return { save: false };
  const fraction = positionMs / durationMs;
  if (fraction < MIN_SAVED_FRACTION) return { save: false };
  return { save: true, completed: fraction >= COMPLETED_FRACTION };
}

/** Why a reported position cannot be accepted, or undefined when it can. */
export function positionProblem(positionMs: number, durationMs: number): string | undefined {
  if (!Number.isFinite(positionMs) || positionMs < 0) return "position must not be negative";
  if (durationMs > 0 && positionMs > durationMs + POSITION_TOLERANCE_MS) {
    return `position ${(positionMs / 1000).toFixed(1)}s is past the title's duration of ${(durationMs / 1000).toFixed(1)}s`;
  }
  return undefined;
}

/** The history bucket of a moment: yyyymm as a number, in UTC (e.g. 202611). */
export function monthOf(ms: number): number {
  const d = new Date(ms);
  return d.getUTCFullYear() * 100 + d.getUTCMonth() + 1;
}

/** The month before `month` (yyyymm). */
function previousMonth(month: number): number {
  const y = Math.floor(month / 100);
  const m = month % 100;
  return m === 1 ? (y - 1) * 100 + 12 : y * 100 + m - 1;
}

/** The `count` month buckets ending with the one holding `nowMs`, newest first. */
export function recentMonths(nowMs: number, count: number): number[] {
  const months = [monthOf(nowMs)];
  while (months.length < count) months.push(previousMonth(months[months.length - 1] as number));
  return months;
}

/**
 * A UUIDv7: its first 48 bits are the creation time in milliseconds, so a
 * session id tells when the session started (history groups a session's
 * heartbeats under that moment) and ids sort by time.
 */
export function uuidv7(nowMs = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(nowMs, 0, 6);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The start time in ms of a UUIDv7 session id, or undefined for another version. */
export function uuidv7Time(id: string): number | undefined {
  const hex = id.replaceAll("-", "");
  if (hex.length !== 32 || hex[12] !== "7") return undefined;
  return Number.parseInt(hex.slice(0, 12), 16);
}

/** Highest rendition height a quality tier allows (0: no limit). */
function heightOfQuality(quality: number): number {
  switch (quality) {
    case 1:
      return 480;
    case 2:
      return 720;
    case 3:
      return 1080;
    default:
      return 0;
  }
}

/** The plan's height cap: its explicit max_height, else what its quality tier allows (0: no limit). */
export function planHeightCap(maxHeight: number, maxQuality: number): number {
  const byQuality = heightOfQuality(maxQuality);
  if (maxHeight > 0 && byQuality > 0) return Math.min(maxHeight, byQuality);
  return maxHeight > 0 ? maxHeight : byQuality;
}

/** Quality tier of a rendition by its height. */
export function qualityOfHeight(height: number): number {
  if (height <= 480) return 1;
  if (height <= 720) return 2;
  if (height <= 1080) return 3;
  return 4;
}

export interface LadderRung {
  id: string;
  height: number;
  width: number;
  bitrateBps: number;
}

/**
 * The renditions a plan may stream, lowest first: those at or under the cap;
 * when even the lowest is taller, the lowest alone (a plan never gets nothing).
 */
export function trimLadder<T extends LadderRung>(ladder: readonly T[], capHeight: number): T[] {
  const sorted = [...ladder].sort((a, b) => a.height - b.height || a.bitrateBps - b.bitrateBps);
  if (capHeight <= 0) return sorted;
  const allowed = sorted.filter((r) => r.height <= capHeight);
  return allowed.length > 0 ? allowed : sorted.slice(0, 1);
}
