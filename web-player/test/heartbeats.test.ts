import test from "ava";
import {
  type Heartbeat,
  HeartbeatScheduler,
  type PlayerReading,
  sanitizeReading,
} from "../src/player/heartbeats.js";

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
        await Promise.resolve();
      }
      now = end;
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

function setup(interval = 10_000, answer?: number) {
  const time = fakeTime();
  const sent: { beat: Heartbeat; keepalive: boolean }[] = [];
  let current = reading();
  const scheduler = new HeartbeatScheduler({
    intervalMs: interval,
    now: time.now,
    read: () => current,
    setTimer: time.setTimer,
    clearTimer: time.clearTimer,
    async send(beat, keepalive) {
      sent.push({ beat, keepalive });
      return answer === undefined ? undefined : { intervalMs: answer };
    },
  });
  return {
    time,
    sent,
    scheduler,
    set: (r: Partial<PlayerReading>) => {
      current = reading(r);
    },
  };
}

test("start sends one heartbeat, then one per interval with rising sequence numbers", async (t) => {
  const s = setup();
  s.scheduler.start();
  await s.time.advance(0);
  t.is(s.sent.length, 1);
  await s.time.advance(35_000);
  t.deepEqual(
    s.sent.map((x) => [x.beat.sequence, x.beat.reason, x.beat.eventTimeMs]),
    [
      [1, "start", 0],
      [2, "interval", 10_000],
      [3, "interval", 20_000],
      [4, "interval", 30_000],
    ],
  );
});

test("pause sends at once and restarts the interval from there", async (t) => {
  const s = setup();
  s.scheduler.start();
  await s.time.advance(4_000);
  s.set({ state: "paused" });
  await s.scheduler.beat("pause");
  await s.time.advance(9_000);
  t.is(s.sent.length, 2, "no interval beat 9 s after the pause");
  await s.time.advance(1_000);
  t.deepEqual(
    s.sent.map((x) => [x.beat.reason, x.beat.state, x.beat.eventTimeMs]),
    [
      ["start", "playing", 0],
      ["pause", "paused", 4_000],
      ["interval", "paused", 14_000],
    ],
  );
});

test("a burst of seeks is reported once, after it settles", async (t) => {
  const s = setup();
  s.scheduler.start();
  for (let i = 0; i < 5; i++) {
    s.scheduler.seeked();
    await s.time.advance(100);
  }
  t.is(s.sent.length, 1);
  await s.time.advance(400);
  t.deepEqual(
    s.sent.map((x) => x.beat.reason),
    ["start", "seek"],
  );
});

test("stop sends a final STOPPED heartbeat and nothing after; hide goes out with keepalive", async (t) => {
  const s = setup();
  s.scheduler.start();
  await s.scheduler.hidden();
  await s.scheduler.stop();
  await s.scheduler.stop();
  await s.time.advance(60_000);
  t.deepEqual(
    s.sent.map((x) => [x.beat.reason, x.beat.state, x.keepalive]),
    [
      ["start", "playing", false],
      ["hide", "playing", true],
      ["stop", "stopped", false],
    ],
  );
  t.is(s.time.pending(), 0, "no timer left behind");
  s.scheduler.start();
  t.is(s.sent.length, 3, "a stopped scheduler does not start again");
});

test("the server's interval replaces ours (within sane bounds)", async (t) => {
  const s = setup(10_000, 5_000);
  s.scheduler.start();
  await s.time.advance(0);
  t.is(s.scheduler.intervalMs, 5_000);
  await s.time.advance(10_000);
  t.deepEqual(
    s.sent.map((x) => x.beat.eventTimeMs),
    [0, 5_000, 10_000],
  );
  const silly = setup(10_000, 10);
  silly.scheduler.start();
  await silly.time.advance(0);
  t.is(silly.scheduler.intervalMs, 10_000);
});

test("a failed send is reported and the schedule goes on", async (t) => {
  const time = fakeTime();
  const errors: number[] = [];
  let calls = 0;
  const scheduler = new HeartbeatScheduler({
    intervalMs: 1_000,
    now: time.now,
    read: () => reading(),
    setTimer: time.setTimer,
    clearTimer: time.clearTimer,
    async send() {
      calls += 1;
      if (calls === 2) throw new Error("offline");
      return undefined;
    },
    onError: (_, beat) => errors.push(beat.sequence),
  });
  scheduler.start();
  await time.advance(3_000);
  t.is(calls, 4);
  t.deepEqual(errors, [2]);
});

test("readings are clamped to what SendHeartbeat accepts", (t) => {
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
