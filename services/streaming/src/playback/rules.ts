/**
 * Pure playback rules: which positions a reading may report and how a plan
 * trims the ladder. Imports nothing of RPC or storage.
 */

/** A position may pass the running time by this much (rounding of the last segment). */
const POSITION_TOLERANCE_MS = 2_000;

/** Why a reported position cannot be accepted, or undefined when it can. */
export function positionProblem(positionMs: number, durationMs: number): string | undefined {
  if (!Number.isFinite(positionMs) || positionMs < 0) return "position must not be negative";
  if (durationMs > 0 && positionMs > durationMs + POSITION_TOLERANCE_MS) {
    return `position ${(positionMs / 1000).toFixed(1)}s is past the title's duration of ${(durationMs / 1000).toFixed(1)}s`;
  }
  return undefined;
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
