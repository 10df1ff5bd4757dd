import { create } from "@bufbuild/protobuf";
import {
  type Duration,
  durationFromMs,
  type Timestamp,
  timestampFromMs,
  timestampMs,
} from "@bufbuild/protobuf/wkt";
import { PlaybackReadingSchema, PlaybackReportSchema } from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import { PlaybackState } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import test from "ava";
import { QoeAggregate } from "../src/qoe/aggregate.js";
import { plainFigures, qoeSimulation } from "./qoe-simulation.js";

const { PLAYING, BUFFERING, PAUSED } = PlaybackState;

const ms = (t: Timestamp | undefined) => (t === undefined ? undefined : timestampMs(t));

test("simulated reports give the aggregates worked out by hand: per minute, overall, by title, rendition and country, per session", (t) => {
  const sim = qoeSimulation();
  const qoe = new QoeAggregate();
  for (const r of sim.reports) qoe.add(r.report, r.readings, sim.now);
  const s = qoe.summary(120_000, 10, sim.now);

  t.is(ms(s.startTime), sim.m0);
  t.is(s.concurrentSessions, 1, "B is paused but playing on; A stopped");
  t.deepEqual(plainFigures(s.total), sim.expected.total);
  t.deepEqual(
    s.minutes.map((m) => [ms(m.startTime), plainFigures(m.figures)]),
    [
      [sim.m0, sim.expected.m0],
      [sim.m1, sim.expected.m1],
    ],
  );
  t.deepEqual(
    s.titles.map((g) => [g.key, plainFigures(g.figures)]),
    [
      [sim.titleA, sim.expected.a],
      [sim.titleB, sim.expected.b],
    ],
  );
  t.deepEqual(
    s.renditions.map((g) => [g.key, plainFigures(g.figures)]),
    [
      ["1080p", sim.expected.r1080],
      ["720p", sim.expected.r720],
      ["480p", sim.expected.b],
    ],
  );
  t.deepEqual(
    s.countries.map((g) => [g.key, plainFigures(g.figures)]),
    [
      ["SE", sim.expected.a],
      ["", sim.expected.b],
    ],
  );
  t.deepEqual(
    s.sessions.map((x) => [x.sessionId, x.renditionId, x.state, x.country, plainFigures(x.figures)]),
    [
      [sim.sessionB, "480p", PAUSED, "", sim.expected.b],
      [sim.sessionA, "1080p", PlaybackState.STOPPED, "SE", sim.expected.a],
    ],
  );

  const lastMinute = qoe.summary(60_000, 1, sim.now);
  t.deepEqual(plainFigures(lastMinute.total), sim.expected.m1);
  t.deepEqual(
    lastMinute.sessions.map((x) => x.sessionId),
    [sim.sessionB],
  );
});

interface ReadingInit {
  at: number;
  sequence?: bigint;
  state?: PlaybackState;
  renditionId?: string;
  bitrateBps?: bigint;
  rebufferDuration?: Duration;
}

const reading = ({ at, ...init }: ReadingInit) =>
  create(PlaybackReadingSchema, {
    sequence: 1n,
    state: PLAYING,
    renditionId: "720p",
    bitrateBps: 3_000_000n,
    ...init,
    eventTime: timestampFromMs(at),
  });

const report = (sessionId: string) =>
  create(PlaybackReportSchema, { sessionId, contentId: "t", country: "FR" });

test("readings past the horizon add nothing, future ones count as now, and old minutes and sessions are forgotten", (t) => {
  const now = 1_800_000_059_000;
  const qoe = new QoeAggregate({ horizonMs: 600_000 });
  qoe.add(report("old"), [reading({ at: now - 600_001 })], now);
  qoe.add(report("ahead"), [reading({ at: now + 3_600_000, sequence: 1n })], now);
  const s = qoe.summary(600_000, 10, now);
  t.deepEqual(
    s.sessions.map((x) => [x.sessionId, ms(x.lastReadingTime)]),
    [["ahead", now]],
  );
  const later = now + 20 * 60_000;
  qoe.add(report("new"), [reading({ at: later })], later);
  const after = qoe.summary(600_000, 10, later);
  t.deepEqual(
    after.sessions.map((x) => x.sessionId),
    ["new"],
  );
  t.is(after.total?.sessions, 1);
  t.is(after.minutes.length, 10);
});

test("at most maxSessions sessions are remembered: the least recently reported goes first", (t) => {
  const now = 1_800_000_059_000;
  const qoe = new QoeAggregate({ maxSessions: 2 });
  qoe.add(report("a"), [reading({ at: now - 3000 })], now);
  qoe.add(report("b"), [reading({ at: now - 2000 })], now);
  qoe.add(report("a"), [reading({ at: now - 1000, sequence: 2n })], now);
  qoe.add(report("c"), [reading({ at: now })], now);
  t.deepEqual(
    qoe.summary(60_000, 10, now).sessions.map((x) => x.sessionId),
    ["c", "a"],
  );
});

test("a stall's time counts once however the readings around it come: a repeated reading, a reading without counters", (t) => {
  const now = 1_800_000_059_000;
  const qoe = new QoeAggregate();
  const r = report("s");
  const first = reading({ at: now - 30_000, sequence: 1n, rebufferDuration: durationFromMs(0) });
  const stalled = reading({
    at: now - 20_000,
    sequence: 2n,
    state: BUFFERING,
    rebufferDuration: durationFromMs(1_000),
  });
  qoe.add(r, [first, stalled], now);
  qoe.add(r, [stalled], now);
  // A resume carries no counters (the server stamps it): the stall counter is not reset by it.
  qoe.add(r, [reading({ at: now - 15_000, sequence: 0n, renditionId: "", bitrateBps: 0n })], now);
  qoe.add(r, [reading({ at: now - 10_000, sequence: 3n, rebufferDuration: durationFromMs(3_000) })], now);
  const total = qoe.summary(60_000, 0, now).total;
  t.deepEqual(plainFigures(total), {
    sessions: 1,
    watchMs: 20_000,
    startups: 0,
    startupMs: 0,
    rebufferRatio: 3_000 / 20_000,
    bitrateBps: 3_000_000,
    switches: 0,
    droppedFrames: 0,
  });
});
