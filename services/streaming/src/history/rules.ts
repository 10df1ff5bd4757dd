/**
 * Pure history rules: what a heartbeat does to progress, and the month buckets
 * history is kept in. Imports nothing of RPC or storage.
 */

/** Below this share of the running time nothing is saved. */
const MIN_SAVED_FRACTION = 0.05;
/** At or above this share the title counts as completed (no resume offered). */
const COMPLETED_FRACTION = 0.9;

export type ProgressVerdict = { save: false } | { save: true; completed: boolean };

/** What a reading at `positionMs` of a `durationMs` title means for progress. */
export function judgeProgress(positionMs: number, durationMs: number): ProgressVerdict {
  if (durationMs <= 0) return { save: false };
  const fraction = positionMs / durationMs;
  if (fraction < MIN_SAVED_FRACTION) return { save: false };
  return { save: true, completed: fraction >= COMPLETED_FRACTION };
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
