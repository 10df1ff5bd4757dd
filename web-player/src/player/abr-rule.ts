/**
 * Our ABR decision, a pure function of what the player observed: the
 * throughput estimate (link rate, latency), the video buffer ahead, the
 * ladder under the plan's cap and the rendition being fetched. It picks the highest rendition the link carries once audio is
 * paid for, with a safety margin that narrows as the buffer grows (a full
 * buffer can absorb a misjudged segment, an empty one cannot), holds the
 * current rendition inside a band above that (so a link hovering near a
 * rung does not flip between two), and steps down at once when the next
 * segment would not arrive before the buffer runs out.
 */

export interface LadderRung {
  id: string;
  bitrateBps: number;
  height: number;
}

export interface AbrInput {
  /** Allowed video renditions, ascending bitrate (the plan's cap already applied). */
  ladder: readonly LadderRung[];
  /** Index in `ladder` of the rendition being fetched now. */
  current: number;
  /** Link throughput estimate, bits/s; undefined before any segment was measured. */
  throughputBps: number | undefined;
  latencyMs: number;
  /** Seconds of video buffered ahead of the playhead. */
  bufferSeconds: number;
  segmentSeconds: number;
  /** Bits/s the audio track takes from the same link. */
  audioBps: number;
}

export interface AbrDecision {
  index: number;
  reason: "no-estimate" | "fits" | "hold" | "down" | "panic";
}

const ABR_TUNING = {
  /** Share of the usable throughput a rendition may take with an empty buffer … */
  safetyLow: 0.8,
  /** … and with a buffer of `bufferHigh` seconds or more. */
  safetyHigh: 1.0,
  bufferLow: 8,
  bufferHigh: 20,
  /** The current rendition is kept while it takes at most this much more than a new pick may. */
  holdBand: 0.12,
} as const;

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** The share of the usable throughput a rendition may take at this buffer level. */
export function safetyFactor(bufferSeconds: number): number {
  const { safetyLow, safetyHigh, bufferLow, bufferHigh } = ABR_TUNING;
  const x = clamp((bufferSeconds - bufferLow) / (bufferHigh - bufferLow), 0, 1);
  return safetyLow + (safetyHigh - safetyLow) * x;
}

/** Highest index whose bitrate is at most `bps` (0 when none is). */
function highestWithin(ladder: readonly LadderRung[], bps: number): number {
  let best = 0;
  ladder.forEach((r, i) => {
    if (r.bitrateBps <= bps) best = i;
  });
  return best;
}

export function chooseRendition(input: AbrInput): AbrDecision {
  const { ladder, throughputBps } = input;
  const top = ladder.length - 1;
  const current = clamp(input.current, 0, Math.max(0, top));
  if (top <= 0) return { index: 0, reason: "fits" };
  if (throughputBps === undefined || !(throughputBps > 0)) return { index: current, reason: "no-estimate" };

  const usable = Math.max(0, throughputBps - input.audioBps);
  const factor = safetyFactor(input.bufferSeconds);
  let pick = highestWithin(ladder, usable * factor);
  let reason: AbrDecision["reason"] = "fits";

  if (pick < current) {
    const heldBps = usable * Math.min(1.05, factor + ABR_TUNING.holdBand);
    if ((ladder[current]?.bitrateBps ?? 0) <= heldBps) {
      pick = current;
      reason = "hold";
    } else reason = "down";
  }

  // The next segment must land before the buffer runs dry (with a segment's worth less when it is low).
  const downloadSeconds = (i: number) =>
    input.latencyMs / 1000 + ((ladder[i]?.bitrateBps ?? 0) * input.segmentSeconds) / Math.max(1, usable);
  if (input.bufferSeconds < input.segmentSeconds * 2 && downloadSeconds(pick) > input.bufferSeconds * 0.8) {
    let safe = pick;
    while (safe > 0 && downloadSeconds(safe) > input.bufferSeconds * 0.8) safe -= 1;
    if (safe < pick) return { index: safe, reason: "panic" };
  }

  return { index: pick, reason };
}

/**
 * The rendition to start with, from a throughput estimate the app already has (or none):
 * the highest whose first segment arrives within `budgetSeconds`, so a fast link does not
 * start on the lowest picture and a slow one does not wait for a large first segment.
 */
export function startRendition(
  ladder: readonly LadderRung[],
  estimateBps: number | undefined,
  segmentSeconds: number,
  budgetSeconds = 0.35,
): number {
  if (estimateBps === undefined || !(estimateBps > 0) || ladder.length === 0) return 0;
  const maxBitrate = (estimateBps * ABR_TUNING.safetyLow * budgetSeconds) / segmentSeconds;
  return highestWithin(ladder, maxBitrate);
}
