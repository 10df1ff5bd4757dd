/**
 * Quality-of-experience figures of one benchmark run, from the page probe's
 * record and the bandwidth steps applied: rebuffers (stalls and video
 * freezes, counted once where they overlap), the average bitrate on screen,
 * what the link offered for video, the oracle (at every moment the highest
 * rendition whose bitrate fits the bandwidth then available minus audio),
 * switches and dropped frames. Pure.
 */
import { detectFreezes, mergeIntervals } from "@marquee/web-player/player/freeze";
import type { PageProbe } from "./page-probe.js";

export interface Step {
  /** Page clock, ms. */
  from: number;
  to: number;
  mbps: number;
}

export interface Rung {
  height: number;
  bitrateBps: number;
}

export interface RunFigures {
  startupMs: number;
  rebufferMs: number;
  rebuffers: number;
  avgBitrateBps: number;
  /** Time-weighted bandwidth minus audio. */
  availableBps: number;
  oracleBps: number;
  switches: number;
  droppedFrames: number;
}

/** The highest rung whose bitrate fits `bps` (the lowest when none does). */
function oracleRung(ladder: readonly Rung[], bps: number): Rung | undefined {
  const sorted = [...ladder].sort((a, b) => a.bitrateBps - b.bitrateBps);
  return sorted.filter((r) => r.bitrateBps <= bps).at(-1) ?? sorted[0];
}

export function runFigures(
  probe: PageProbe,
  steps: readonly Step[],
  ladder: readonly Rung[],
  audioBps: number,
): RunFigures {
  const start = steps[0]?.from ?? 0;
  const end = steps.at(-1)?.to ?? start;
  const span = Math.max(1, end - start);
  const inWindow = probe.samples.filter((s) => s.t >= start && s.t <= end);

  const freezes = detectFreezes(
    probe.samples.map((s) => ({
      t: s.t,
      frames: s.frames,
      videoAheadSeconds: s.videoAhead,
      playing: s.playing,
    })),
  );
  const clipped = mergeIntervals(
    [...probe.stalls.map((s) => ({ start: s.start, end: s.end })), ...freezes],
    end,
  )
    .map((i) => ({ start: Math.max(i.start, start), end: Math.min(i.end ?? end, end) }))
    .filter((i) => i.end > i.start);

  const bitrateOf = (height: number) => ladder.find((r) => r.height === height)?.bitrateBps ?? 0;
  let bitrateTime = 0;
  let switches = 0;
  inWindow.forEach((s, i) => {
    const next = inWindow[i + 1];
    if (next) bitrateTime += bitrateOf(s.height) * (next.t - s.t);
    const prev = inWindow[i - 1];
    if (prev && prev.height > 0 && s.height > 0 && prev.height !== s.height) switches += 1;
  });
  const sampled = Math.max(1, (inWindow.at(-1)?.t ?? start) - (inWindow[0]?.t ?? start));

  let availableTime = 0;
  let oracleTime = 0;
  for (const step of steps) {
    const bps = step.mbps * 1e6 - audioBps;
    availableTime += bps * (step.to - step.from);
    oracleTime += (oracleRung(ladder, bps)?.bitrateBps ?? 0) * (step.to - step.from);
  }
  const first = inWindow[0];
  const last = inWindow.at(-1);
  return {
    startupMs: (probe.firstFrameAt ?? Number.NaN) - (probe.clickAt ?? Number.NaN),
    rebufferMs: clipped.reduce((sum, i) => sum + (i.end - i.start), 0),
    rebuffers: clipped.length,
    avgBitrateBps: bitrateTime / sampled,
    availableBps: availableTime / span,
    oracleBps: oracleTime / span,
    switches,
    droppedFrames: first && last ? last.dropped - first.dropped : 0,
  };
}
