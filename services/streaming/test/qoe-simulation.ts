import { create } from "@bufbuild/protobuf";
import { durationFromMs, durationMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  type PlaybackReading,
  PlaybackReadingSchema,
  type PlaybackReport,
  PlaybackReportSchema,
} from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import { PlaybackState, type QoeFigures } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";

const { PLAYING, BUFFERING, PAUSED, STOPPED } = PlaybackState;

interface Step {
  /** Ms after the first minute's start. */
  at: number;
  sequence: number;
  state: PlaybackState;
  rendition: string;
  bitrateBps: number;
  dropped: number;
  rebufferMs?: number;
  startupMs?: number;
}

/**
 * Two sessions with readings whose QoE figures were worked out by hand:
 *
 * A (title A, SE): plays 720p at 3 Mb/s from m0 (first frame after 1.5 s), stalls 2 s at m0+20 s
 * (and 2 s more before m0+30 s, when it switches to 1080p at 6 Mb/s), plays on into m1 and stops at
 * m1+10 s; 10 frames dropped. Watched 70 s (30 in m0, 40 in m1), 4 s stalled, bitrate
 * (3 × 20 + 6 × 40) / 60 = 5 Mb/s.
 * B (title B, no country): plays 480p at 1 Mb/s from m1 (first frame after 3 s), 1 s stalled and
 * 4 frames dropped by m1+20 s, paused at m1+25 s and still paused at m1+45 s. Watched 25 s.
 * Its m1+20 s report comes twice (a redelivery): counted once.
 */
export function qoeSimulation(m0 = 1_800_000_000_000) {
  const m1 = m0 + 60_000;
  const sessionA = "0190f5c2-7a00-7000-8000-00000000000a";
  const sessionB = "0190f5c2-7a00-7000-8000-00000000000b";
  const titleA = "6f0c1d2e-0000-4000-8000-00000000000a";
  const titleB = "6f0c1d2e-0000-4000-8000-00000000000b";
  const stepsA: Step[] = [
    {
      at: 0,
      sequence: 1,
      state: PLAYING,
      rendition: "720p",
      bitrateBps: 3e6,
      dropped: 0,
      rebufferMs: 0,
      startupMs: 1500,
    },
    {
      at: 10_000,
      sequence: 2,
      state: PLAYING,
      rendition: "720p",
      bitrateBps: 3e6,
      dropped: 5,
      rebufferMs: 0,
      startupMs: 1500,
    },
    {
      at: 20_000,
      sequence: 3,
      state: BUFFERING,
      rendition: "720p",
      bitrateBps: 3e6,
      dropped: 5,
      rebufferMs: 2000,
      startupMs: 1500,
    },
    {
      at: 30_000,
      sequence: 4,
      state: PLAYING,
      rendition: "1080p",
      bitrateBps: 6e6,
      dropped: 8,
      rebufferMs: 4000,
      startupMs: 1500,
    },
    {
      at: 60_000,
      sequence: 5,
      state: PLAYING,
      rendition: "1080p",
      bitrateBps: 6e6,
      dropped: 8,
      rebufferMs: 4000,
      startupMs: 1500,
    },
    {
      at: 70_000,
      sequence: 6,
      state: STOPPED,
      rendition: "1080p",
      bitrateBps: 6e6,
      dropped: 10,
      rebufferMs: 4000,
      startupMs: 1500,
    },
  ];
  const stepsB: Step[] = [
    {
      at: 60_000,
      sequence: 1,
      state: PLAYING,
      rendition: "480p",
      bitrateBps: 1e6,
      dropped: 0,
      rebufferMs: 0,
      startupMs: 3000,
    },
    {
      at: 80_000,
      sequence: 2,
      state: PLAYING,
      rendition: "480p",
      bitrateBps: 1e6,
      dropped: 4,
      rebufferMs: 1000,
      startupMs: 3000,
    },
    {
      at: 85_000,
      sequence: 3,
      state: PAUSED,
      rendition: "480p",
      bitrateBps: 1e6,
      dropped: 4,
      rebufferMs: 1000,
      startupMs: 3000,
    },
    {
      at: 105_000,
      sequence: 4,
      state: PAUSED,
      rendition: "480p",
      bitrateBps: 1e6,
      dropped: 4,
      rebufferMs: 1000,
      startupMs: 3000,
    },
  ];
  /** A step as a heartbeat reading's fields (SendHeartbeats takes them as they are, with a position). */
  const fields = (s: Step) => ({
    sequence: BigInt(s.sequence),
    eventTime: timestampFromMs(m0 + s.at),
    position: durationFromMs(s.sequence * 10_000),
    state: s.state,
    renditionId: s.rendition,
    bitrateBps: BigInt(s.bitrateBps),
    droppedFrames: BigInt(s.dropped),
    ...(s.rebufferMs === undefined ? {} : { rebufferDuration: durationFromMs(s.rebufferMs) }),
    ...(s.startupMs === undefined ? {} : { startupDuration: durationFromMs(s.startupMs) }),
  });
  const asReport = (sessionId: string, contentId: string, country: string, steps: Step[]) => {
    const readings: PlaybackReading[] = steps.map((s) => create(PlaybackReadingSchema, fields(s)));
    const report: PlaybackReport = create(PlaybackReportSchema, {
      sessionId,
      contentId,
      country,
      profileId: "0190f5c2-7a00-7000-8000-0000000000ff",
      userId: "0190f5c2-7a00-7000-8000-0000000000fe",
      duration: durationFromMs(600_000),
      readings,
    });
    return { report, readings, msgId: `${sessionId}:${steps[0]?.sequence}-${steps.at(-1)?.sequence}` };
  };
  const b = (from: number, to: number) => asReport(sessionB, titleB, "", stepsB.slice(from, to));
  const a = (from: number, to: number) => asReport(sessionA, titleA, "SE", stepsA.slice(from, to));
  const figures = (f: {
    sessions: number;
    watchMs: number;
    startups: number;
    startupMs: number;
    rebufferMs: number;
    bitrateBps: number;
    switches: number;
    droppedFrames: number;
  }) => {
    const { rebufferMs, ...rest } = f;
    return { ...rest, rebufferRatio: f.watchMs === 0 ? 0 : rebufferMs / f.watchMs };
  };
  return {
    m0,
    m1,
    now: m1 + 50_000,
    sessionA,
    sessionB,
    titleA,
    titleB,
    /** The readings of each session, for SendHeartbeats (in two reports each). */
    heartbeats: {
      a: [stepsA.slice(0, 4).map(fields), stepsA.slice(4).map(fields)],
      b: [stepsB.slice(0, 2).map(fields), stepsB.slice(2).map(fields)],
    },
    /** PLAYBACK reports in stream order. */
    reports: [a(0, 2), a(2, 4), b(0, 2), b(1, 2), a(4, 6), b(2, 4)],
    expected: {
      a: figures({
        sessions: 1,
        watchMs: 70_000,
        startups: 1,
        startupMs: 1500,
        rebufferMs: 4000,
        bitrateBps: 5_000_000,
        switches: 1,
        droppedFrames: 10,
      }),
      b: figures({
        sessions: 1,
        watchMs: 25_000,
        startups: 1,
        startupMs: 3000,
        rebufferMs: 1000,
        bitrateBps: 1_000_000,
        switches: 0,
        droppedFrames: 4,
      }),
      m0: figures({
        sessions: 1,
        watchMs: 30_000,
        startups: 1,
        startupMs: 1500,
        rebufferMs: 4000,
        bitrateBps: 3_000_000,
        switches: 1,
        droppedFrames: 8,
      }),
      // A: 40 s at 6 Mb/s; B: 25 s at 1 Mb/s → 265 / 65.
      m1: figures({
        sessions: 2,
        watchMs: 65_000,
        startups: 1,
        startupMs: 3000,
        rebufferMs: 1000,
        bitrateBps: 4_076_923,
        switches: 0,
        droppedFrames: 6,
      }),
      // 325 Mb over 85 s; startups (1.5 + 3) / 2.
      total: figures({
        sessions: 2,
        watchMs: 95_000,
        startups: 2,
        startupMs: 2250,
        rebufferMs: 5000,
        bitrateBps: 3_823_529,
        switches: 1,
        droppedFrames: 14,
      }),
      r720: figures({
        sessions: 1,
        watchMs: 30_000,
        startups: 1,
        startupMs: 1500,
        rebufferMs: 4000,
        bitrateBps: 3_000_000,
        switches: 1,
        droppedFrames: 8,
      }),
      r1080: figures({
        sessions: 1,
        watchMs: 40_000,
        startups: 0,
        startupMs: 0,
        rebufferMs: 0,
        bitrateBps: 6_000_000,
        switches: 0,
        droppedFrames: 2,
      }),
    },
  };
}

/** Figures as plain numbers, to compare with the simulation's expected values. */
export const plainFigures = (f: QoeFigures | undefined) => ({
  sessions: f?.sessions,
  watchMs: f?.watchTime ? durationMs(f.watchTime) : undefined,
  startups: f?.startups,
  startupMs: f?.averageStartupTime ? durationMs(f.averageStartupTime) : undefined,
  rebufferRatio: f?.rebufferRatio,
  bitrateBps: Number(f?.averageBitrateBps),
  switches: Number(f?.switches),
  droppedFrames: Number(f?.droppedFrames),
});
