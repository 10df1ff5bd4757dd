import test from "ava";
import {
  type Heartbeat,
  type HeartbeatDeps,
  HeartbeatScheduler,
  MAX_QUEUED,
  type PlayerReading,
  type ReportAnswer,
  sanitizeReading,
} from "../src/player/heartbeats.js";

/** Lets every promise callback queued so far run (and those they queue), without waiting on time. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A manual clock and timer queue: tests move time, nothing sleeps. */
function fakeTime() {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimer: (fn: () => void, ms: number) => {
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimer: (id: unknown) => {
      timers.delete(id as number);
    },
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
        await settle();
      }
      now = end;
      await settle();
    },
    pending: () => timers.size,
  };
}

const reading = (over: Partial<PlayerReading> = {}): PlayerReading => ({
  positionSeconds: 12.5,
  state: "playing",
  renditionId: "720p",
  bitrateBps: 2_500_000,
  bufferSeconds: 14,
  droppedFrames: 3,
  throughputBps: 9_000_000,
  ...over,
});

interface Call {
  beats: readonly Heartbeat[];
  keepalive: boolean;
}

/**
 * A scheduler on fake time with a recording transport; `respond` decides each call's outcome
 * (by default it is accepted with no new intervals).
 */
function setup({
  respond,
  ...deps
}: Partial<HeartbeatDeps> & { respond?: (call: Call) => Promise<ReportAnswer | undefined> } = {}) {
  const time = fakeTime();
  const calls: Call[] = [];
  const errors: { err: unknown; sequences: number[] }[] = [];
  let current = reading();
  const scheduler = new HeartbeatScheduler({
    intervalMs: 10_000,
    reportIntervalMs: 20_000,
    now: time.now,
    read: () => current,
    setTimer: time.setTimer,
    clearTimer: time.clearTimer,
    send(beats, keepalive) {
      const call = { beats, keepalive };
      calls.push(call);
      return respond ? respond(call) : Promise.resolve(undefined);
    },
    onError: (err, beats) => errors.push({ err, sequences: beats.map((b) => b.sequence) }),
    ...deps,
  });
  return {
    time,
    calls,
    errors,
    scheduler,
    /** The sequence numbers of each call. */
    batches: () => calls.map((c) => c.beats.map((b) => b.sequence)),
    set: (r: Partial<PlayerReading>) => {
      current = reading(r);
    },
  };
}

test("readings are taken every interval and go out together every report interval", async (t) => {
  const s = setup();
  s.scheduler.start();
  await s.time.advance(0);
  t.deepEqual(s.batches(), [[1]], "the first reading goes at once");
  await s.time.advance(19_999);
  t.is(s.calls.length, 1, "the reading at 10 s waits for the report");
  await s.time.advance(25_001);
  t.deepEqual(
    s.calls.map((c) => c.beats.map((b) => [b.sequence, b.reason, b.eventTimeMs])),
    [
      [[1, "start", 0]],
      [
        [2, "interval", 10_000],
        [3, "interval", 20_000],
      ],
      [
        [4, "interval", 30_000],
        [5, "interval", 40_000],
      ],
    ],
  );
  t.true(
    s.calls.every((c) => !c.keepalive),
    "ordinary reports are not keepalive",
  );
});

test("pause reports at once with what was queued and restarts the reading interval", async (t) => {
  const s = setup();
  s.scheduler.start();
  await s.time.advance(14_000);
  s.set({ state: "paused" });
  await s.scheduler.beat("pause");
  t.deepEqual(
    s.calls[1]?.beats.map((b) => [b.sequence, b.reason, b.state, b.eventTimeMs]),
    [
      [2, "interval", "playing", 10_000],
      [3, "pause", "paused", 14_000],
    ],
  );
  await s.time.advance(9_999);
  t.is(s.calls.length, 2);
  await s.time.advance(10_001);
  t.deepEqual(
    s.calls[2]?.beats.map((b) => [b.sequence, b.eventTimeMs]),
    [
      [4, 24_000],
      [5, 34_000],
    ],
    "readings 10 s apart from the pause, reported every second one",
  );
});

test("play and quality changes report at once too", async (t) => {
  const s = setup();
  s.scheduler.start();
  await s.time.advance(3_000);
  await s.scheduler.beat("play");
  await s.time.advance(3_000);
  await s.scheduler.beat("quality");
  t.deepEqual(
    s.calls.map((c) => c.beats.map((b) => [b.reason, b.eventTimeMs])),
    [[["start", 0]], [["play", 3_000]], [["quality", 6_000]]],
  );
});

test("the start of a rebuffer reports at once, its reading as the player gives it (a freeze reads buffering)", async (t) => {
  const s = setup();
  s.scheduler.start();
  await s.time.advance(4_000);
  s.set({ state: "buffering", bufferSeconds: 0 });
  await s.scheduler.beat("rebuffer");
  t.deepEqual(
    s.calls.map((c) => c.beats.map((b) => [b.reason, b.state, b.eventTimeMs])),
    [[["start", "playing", 0]], [["rebuffer", "buffering", 4_000]]],
  );
});

test("a burst of seeks is reported once, after it settles", async (t) => {
  const s = setup();
  s.scheduler.start();
  for (let i = 0; i < 5; i++) {
    s.scheduler.seeked();
    await s.time.advance(100);
  }
  t.is(s.calls.length, 1);
  await s.time.advance(400);
  t.deepEqual(
    s.calls.map((c) => c.beats.map((b) => b.reason)),
    [["start"], ["seek"]],
  );
});

test("hide reports the queue with keepalive and goes on; stop reports a last STOPPED reading", async (t) => {
  const s = setup();
  s.scheduler.start();
  await s.time.advance(10_000);
  await s.scheduler.hidden();
  await s.time.advance(10_000);
  await s.scheduler.stop();
  await s.scheduler.stop();
  await s.time.advance(60_000);
  t.deepEqual(
    s.calls.map((c) => [c.beats.map((b) => [b.sequence, b.reason, b.state]), c.keepalive]),
    [
      [[[1, "start", "playing"]], false],
      [
        [
          [2, "interval", "playing"],
          [3, "hide", "playing"],
        ],
        true,
      ],
      [
        [
          [4, "interval", "playing"],
          [5, "stop", "stopped"],
        ],
        false,
      ],
    ],
  );
  t.is(s.time.pending(), 0, "no timer left behind");
  s.scheduler.start();
  t.is(s.calls.length, 3, "a stopped scheduler does not start again");
});

test("leaving for good: one keepalive report of all queued readings with a STOPPED one last, and it stops", async (t) => {
  const answers: ((a: ReportAnswer | undefined) => void)[] = [];
  const s = setup({
    respond: (call) => (call.keepalive ? Promise.resolve(undefined) : new Promise((r) => answers.push(r))),
  });
  s.scheduler.start();
  await s.time.advance(5_000);
  void s.scheduler.beat("quality"); // 2: waits behind the start report, in flight
  await s.time.advance(10_000); // 3 at 15 s, queued
  s.set({ positionSeconds: 40 });
  await s.scheduler.pageHide(false);
  t.deepEqual(
    s.calls.map((c) => [c.beats.map((b) => [b.sequence, b.reason, b.state]), c.keepalive]),
    [
      [[[1, "start", "playing"]], false],
      [
        [
          [1, "start", "playing"],
          [2, "quality", "playing"],
          [3, "interval", "playing"],
          [4, "stop", "stopped"],
        ],
        true,
      ],
    ],
    "at once, without waiting for the report in flight",
  );
  t.is(s.calls[1]?.beats.at(-1)?.positionSeconds, 40, "the STOPPED reading has the current position");
  t.false(s.scheduler.running);
  t.is(s.time.pending(), 0, "no timer left behind");
  await s.scheduler.hidden();
  await s.scheduler.pageHide(false);
  await s.scheduler.stop();
  s.scheduler.start();
  await s.time.advance(60_000);
  t.is(s.calls.length, 2, "nothing after the final report: it was accepted");
});

test("a persisted pagehide (bfcache) sends a plain hide report and goes on", async (t) => {
  const s = setup();
  s.scheduler.start();
  await s.time.advance(15_000);
  await s.scheduler.pageHide(true);
  t.deepEqual(
    s.calls[1]?.beats.map((b) => [b.sequence, b.reason, b.state]),
    [
      [2, "interval", "playing"],
      [3, "hide", "playing"],
    ],
  );
  t.true(s.calls[1]?.keepalive);
  t.true(s.scheduler.running);
  await s.time.advance(20_000);
  t.deepEqual(s.batches().at(-1), [4, 5], "readings go on in the same session");
  t.false(
    s.calls.some((c) => c.beats.some((b) => b.state === "stopped")),
    "no STOPPED reading",
  );
});

test("leaving for good before playback started still ends the session", async (t) => {
  const s = setup();
  s.set({ state: "paused", positionSeconds: 0 });
  await s.scheduler.pageHide(false);
  t.deepEqual(
    s.calls.map((c) => [c.beats.map((b) => [b.sequence, b.reason, b.state]), c.keepalive]),
    [[[[1, "stop", "stopped"]], true]],
  );
  s.scheduler.start();
  await s.time.advance(30_000);
  t.is(s.calls.length, 1);
});

test("leaving for good after stop sends again only what stop's report did not get accepted", async (t) => {
  let offline = true;
  const s = setup({
    respond: async () => {
      if (offline) throw new Error("offline");
      return undefined;
    },
  });
  s.scheduler.start();
  await s.time.advance(10_000);
  await s.scheduler.stop();
  offline = false;
  await s.scheduler.pageHide(false);
  t.deepEqual(s.batches(), [[1], [1, 2, 3], [1, 2, 3]]);
  t.deepEqual(
    s.calls.map((c) => c.keepalive),
    [false, false, true],
  );
  t.is(s.calls[2]?.beats.at(-1)?.state, "stopped");

  const accepted = setup();
  accepted.scheduler.start();
  await accepted.scheduler.stop();
  await accepted.scheduler.pageHide(false);
  t.deepEqual(accepted.batches(), [[1], [2]], "the session already ended: nothing more");
});

test("only the last reading says STOPPED: an ended video reads as paused until stop", async (t) => {
  const s = setup();
  s.scheduler.start();
  s.set({ state: "stopped" });
  await s.time.advance(20_000);
  await s.scheduler.hidden();
  await s.scheduler.stop();
  t.deepEqual(
    s.calls.map((c) => c.beats.map((b) => [b.reason, b.state])),
    [
      [["start", "playing"]],
      [
        ["interval", "paused"],
        ["interval", "paused"],
      ],
      [["hide", "paused"]],
      [["stop", "stopped"]],
    ],
  );
});

test("a failed report keeps its readings for the next, in order and without duplicates", async (t) => {
  let offline = false;
  const s = setup({
    respond: async () => {
      if (offline) throw new Error("offline");
      return undefined;
    },
  });
  s.scheduler.start();
  await s.time.advance(0);
  offline = true;
  await s.time.advance(40_000);
  offline = false;
  await s.time.advance(20_000);
  t.deepEqual(s.batches(), [[1], [2, 3], [2, 3, 4, 5], [2, 3, 4, 5, 6, 7]]);
  t.deepEqual(
    s.errors.map((e) => e.sequences),
    [
      [2, 3],
      [2, 3, 4, 5],
    ],
  );
  await s.time.advance(20_000);
  t.deepEqual(s.batches().at(-1), [8, 9], "accepted readings are not sent again");
});

test("one report in flight at a time; what comes meanwhile goes when it is answered", async (t) => {
  const answers: ((a: ReportAnswer | undefined) => void)[] = [];
  const s = setup({ respond: () => new Promise((resolve) => answers.push(resolve)) });
  s.scheduler.start();
  await s.time.advance(5_000);
  let pauseReported = false;
  const pause = s.scheduler.beat("pause").then(() => {
    pauseReported = true;
  });
  void s.scheduler.beat("play");
  await s.time.advance(0);
  t.deepEqual(s.batches(), [[1]], "nothing else while the first is in flight");
  answers.shift()?.(undefined);
  await s.time.advance(0);
  t.deepEqual(s.batches(), [[1], [2, 3]], "one report for both, right after");
  t.false(pauseReported);
  answers.shift()?.(undefined);
  await pause;
  t.pass();
});

test("a refused report is dropped and reported, not retried", async (t) => {
  const refusal = new Error("readings[1].position: past the end");
  const s = setup({
    refused: (err) => err === refusal,
    respond: async (call) => {
      if (call.beats.some((b) => b.sequence === 3)) throw refusal;
      return undefined;
    },
  });
  s.scheduler.start();
  await s.time.advance(40_000);
  t.deepEqual(s.batches(), [[1], [2, 3], [4, 5]]);
  t.deepEqual(s.errors, [{ err: refusal, sequences: [2, 3] }]);
});

test("while reports fail the queue keeps the last 120 readings, giving up clock readings while playing first", async (t) => {
  let offline = true;
  const s = setup({
    intervalMs: 1_000,
    reportIntervalMs: 120_000,
    respond: async () => {
      if (offline) throw new Error("offline");
      return undefined;
    },
  });
  s.scheduler.start(); // 1
  await s.time.advance(5_000); // 2–6 playing
  s.set({ state: "paused" });
  await s.scheduler.beat("pause"); // 7
  await s.time.advance(10_000); // 8–17 paused
  s.set({ state: "playing" });
  await s.scheduler.beat("play"); // 18
  await s.time.advance(200_000); // 19–218 playing
  offline = false;
  await s.scheduler.beat("quality"); // 219
  const last = s.calls.at(-1)?.beats ?? [];
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  t.is(last.length, MAX_QUEUED);
  t.deepEqual(
    last.map((b) => b.sequence),
    [1, 7, ...range(8, 17), 18, ...range(113, 219)],
  );
  t.true(
    s.calls.every((c) => c.beats.length <= MAX_QUEUED),
    "no report over the limit",
  );
});

test("with no clock readings while playing, paused ones go before event readings", async (t) => {
  const s = setup({
    intervalMs: 1_000,
    reportIntervalMs: 120_000,
    respond: async () => {
      throw new Error("offline");
    },
  });
  s.scheduler.start(); // 1
  s.set({ state: "paused" });
  await s.scheduler.beat("pause"); // 2
  await s.time.advance(130_000); // 3–132 paused
  await s.scheduler.beat("quality"); // 133
  const last = s.calls.at(-1)?.beats ?? [];
  t.is(last.length, MAX_QUEUED);
  t.deepEqual(
    last.slice(0, 3).map((b) => b.sequence),
    [1, 2, 16],
  );
  t.is(last.at(-1)?.sequence, 133);
});

test("a keepalive report that took only the newest readings keeps the rest", async (t) => {
  const s = setup({
    reportIntervalMs: 30_000,
    respond: async (call) => (call.keepalive ? { sent: 2 } : undefined),
  });
  s.scheduler.start();
  await s.time.advance(25_000); // 2 and 3, not reported yet
  await s.scheduler.hidden(); // 4: the keepalive report takes only 3 and 4
  await s.time.advance(25_000); // 5, 6, 7: reported with 2
  t.deepEqual(s.batches(), [[1], [2, 3, 4], [2, 5, 6, 7]]);
  t.deepEqual(
    s.calls.map((c) => c.keepalive),
    [false, true, false],
  );
});

test("the server's intervals replace ours (within sane bounds)", async (t) => {
  const s = setup({ respond: async () => ({ intervalMs: 5_000, reportIntervalMs: 10_000 }) });
  s.scheduler.start();
  await s.time.advance(0);
  t.is(s.scheduler.intervalMs, 5_000);
  t.is(s.scheduler.reportIntervalMs, 10_000);
  await s.time.advance(20_000);
  t.deepEqual(
    s.calls.map((c) => c.beats.map((b) => b.eventTimeMs)),
    [[0], [5_000, 10_000], [15_000, 20_000]],
  );
  const silly = setup({ respond: async () => ({ intervalMs: 10, reportIntervalMs: 10 }) });
  silly.scheduler.start();
  await silly.time.advance(0);
  t.is(silly.scheduler.intervalMs, 10_000);
  t.is(silly.scheduler.reportIntervalMs, 20_000);
});

test("readings are clamped to what a heartbeat reading accepts", (t) => {
  t.deepEqual(
    sanitizeReading(
      reading({
        positionSeconds: -1,
        bufferSeconds: 1e6,
        bitrateBps: Number.NaN,
        droppedFrames: 2.6,
        throughputBps: Number.POSITIVE_INFINITY,
        renditionId: "x".repeat(60),
      }),
    ),
    {
      positionSeconds: 0,
      state: "playing",
      renditionId: "x".repeat(40),
      bitrateBps: 0,
      bufferSeconds: 600,
      droppedFrames: 3,
      throughputBps: 0,
    },
  );
});
