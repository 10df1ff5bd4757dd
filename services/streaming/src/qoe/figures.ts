import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { type QoeFigures, QoeFiguresSchema } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";

/**
 * Sums of what viewers experienced, for one minute and one group (or one
 * session): kept as sums and counts so minutes and groups add up, and turned
 * into ratios and means only when a summary is made.
 */
export interface Tally {
  /** The sessions that reported (their count is the figure; a set, so minutes merge without counting twice). */
  sessions: Set<string>;
  /** Time played or stalled, ms. */
  watchMs: number;
  /** Time stalled, ms. */
  rebufferMs: number;
  /** Σ bitrate × time played at it (bits), and that time (ms), for the time-weighted mean. */
  bitMs: number;
  bitrateMs: number;
  startups: number;
  startupMs: number;
  switches: number;
  droppedFrames: number;
}

export function newTally(): Tally {
  return {
    sessions: new Set(),
    watchMs: 0,
    rebufferMs: 0,
    bitMs: 0,
    bitrateMs: 0,
    startups: 0,
    startupMs: 0,
    switches: 0,
    droppedFrames: 0,
  };
}

/** What one reading adds (the time since the session's previous reading, attributed to it). */
export interface Contribution {
  sessionId: string;
  watchMs: number;
  rebufferMs: number;
  /** Bitrate played during watchMs (0: none known, or not playing). */
  bitrateBps: number;
  playedMs: number;
  /** The session's startup time when this reading is the first to carry it. */
  startupMs: number | undefined;
  switches: number;
  droppedFrames: number;
}

export function addTo(tally: Tally, c: Contribution): void {
  tally.sessions.add(c.sessionId);
  tally.watchMs += c.watchMs;
  tally.rebufferMs += c.rebufferMs;
  if (c.bitrateBps > 0 && c.playedMs > 0) {
    tally.bitMs += c.bitrateBps * c.playedMs;
    tally.bitrateMs += c.playedMs;
  }
  if (c.startupMs !== undefined) {
    tally.startups += 1;
    tally.startupMs += c.startupMs;
  }
  tally.switches += c.switches;
  tally.droppedFrames += c.droppedFrames;
}

/** `into` plus `from` (sessions as a union). */
export function merge(into: Tally, from: Tally): Tally {
  for (const s of from.sessions) into.sessions.add(s);
  into.watchMs += from.watchMs;
  into.rebufferMs += from.rebufferMs;
  into.bitMs += from.bitMs;
  into.bitrateMs += from.bitrateMs;
  into.startups += from.startups;
  into.startupMs += from.startupMs;
  into.switches += from.switches;
  into.droppedFrames += from.droppedFrames;
  return into;
}

/**
 * The contract's figures. The rebuffer ratio is stalled time over time played
 * or stalled (the stall counter and the reading clock are separate, so it is
 * capped at 1).
 */
export function toFigures(t: Tally): QoeFigures {
  return create(QoeFiguresSchema, {
    sessions: t.sessions.size,
    watchTime: durationFromMs(Math.round(t.watchMs)),
    startups: t.startups,
    averageStartupTime: durationFromMs(t.startups === 0 ? 0 : Math.round(t.startupMs / t.startups)),
    rebufferRatio: t.watchMs > 0 ? Math.min(1, t.rebufferMs / t.watchMs) : 0,
    averageBitrateBps: BigInt(t.bitrateMs > 0 ? Math.round(t.bitMs / t.bitrateMs) : 0),
    switches: BigInt(t.switches),
    droppedFrames: BigInt(t.droppedFrames),
  });
}
