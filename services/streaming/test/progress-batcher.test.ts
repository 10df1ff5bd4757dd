import test from "ava";
import type { ProgressWrite } from "../src/history/history-store.js";
import { ProgressBatcher } from "../src/history/progress-batcher.js";

const write = (sessionId: string, seconds: number): ProgressWrite => ({
  profileId: "p",
  contentId: "c",
  episodeId: "",
  sessionId,
  watchedAt: new Date(0),
  eventTime: new Date(seconds * 1000),
  positionMs: seconds * 1000,
  durationMs: 3_600_000,
  completed: false,
  deviceId: "tv",
});

/** A store whose writes finish when the test says so. */
function gatedStore() {
  const writes: ProgressWrite[] = [];
  const gates: Array<{ open: () => void; fail: (err: Error) => void }> = [];
  return {
    writes,
    gates,
    recordProgress(w: ProgressWrite) {
      writes.push(w);
      return new Promise<void>((resolve, reject) => gates.push({ open: resolve, fail: reject }));
    },
  };
}

const settled = (p: Promise<unknown>) => {
  const state = { done: false };
  p.then(
    () => (state.done = true),
    () => (state.done = true),
  );
  return state;
};

/** Runs the event loop until the store has `n` writes, or fails after a deadline. */
async function writesReach(store: ReturnType<typeof gatedStore>, n: number) {
  const deadline = Date.now() + 2_000;
  while (store.writes.length < n) {
    if (Date.now() > deadline) throw new Error(`store saw ${store.writes.length} writes, wanted ${n}`);
    await new Promise((r) => setImmediate(r));
  }
}

test("readings of one session arriving together are written once, as the newest, and all resolve after it", async (t) => {
  const store = gatedStore();
  const batcher = new ProgressBatcher(store);
  const calls = [3, 1, 5, 2].map((s) => batcher.record(write("s1", s)));
  const other = batcher.record(write("s2", 4));
  await writesReach(store, 2);
  t.deepEqual(
    store.writes.map((w) => [w.sessionId, w.positionMs]),
    [
      ["s1", 5_000],
      ["s2", 4_000],
    ],
  );
  const states = calls.map(settled);
  await new Promise((r) => setImmediate(r));
  t.false(
    states.some((s) => s.done),
    "nothing resolves before its write is durable",
  );
  for (const g of store.gates) g.open();
  await Promise.all([...calls, other]);
  t.is(store.writes.length, 2);
});

test("a reading that arrives during a round waits for the next round, not the one in flight", async (t) => {
  const store = gatedStore();
  const batcher = new ProgressBatcher(store);
  const first = batcher.record(write("s1", 1));
  await writesReach(store, 1);
  const late = settled(batcher.record(write("s1", 2)));
  store.gates[0]?.open();
  await first;
  await writesReach(store, 2);
  t.false(late.done, "the late reading is not covered by the older write");
  t.is(store.writes[1]?.positionMs, 2_000);
  store.gates[1]?.open();
  await t.notThrowsAsync(async () => {
    const deadline = Date.now() + 2_000;
    while (!late.done && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    if (!late.done) throw new Error("late reading never resolved");
  });
});

test("a failed write fails every reading it covered, and the next round still runs", async (t) => {
  const store = gatedStore();
  const batcher = new ProgressBatcher(store);
  const a = batcher.record(write("s1", 1));
  const b = batcher.record(write("s1", 2));
  await writesReach(store, 1);
  store.gates[0]?.fail(new Error("cassandra timeout"));
  await t.throwsAsync(a, { message: "cassandra timeout" });
  await t.throwsAsync(b, { message: "cassandra timeout" });
  const retry = batcher.record(write("s1", 2));
  await writesReach(store, 2);
  store.gates[1]?.open();
  await t.notThrowsAsync(retry);
});

test("a round writes at most maxRound sessions; the others go in the next round", async (t) => {
  const store = gatedStore();
  const batcher = new ProgressBatcher(store, 2);
  const all = ["s1", "s2", "s3"].map((s) => batcher.record(write(s, 1)));
  await writesReach(store, 2);
  await new Promise((r) => setImmediate(r));
  t.is(store.writes.length, 2, "the third session waits while the round is out");
  store.gates[0]?.open();
  store.gates[1]?.open();
  await writesReach(store, 3);
  t.is(store.writes[2]?.sessionId, "s3");
  store.gates[2]?.open();
  await Promise.all(all);
});

test("with a gathering time, a round waits for it after the last one began, unless a full round is waiting", async (t) => {
  const store = gatedStore();
  const batcher = new ProgressBatcher(store, 2, 60_000);
  const first = batcher.record(write("s1", 1));
  await writesReach(store, 1);
  store.gates[0]?.open();
  await first;
  const second = batcher.record(write("s2", 1));
  for (let turn = 0; turn < 20; turn++) await new Promise((r) => setImmediate(r));
  t.is(store.writes.length, 1, "the next round waits for its time");
  const third = batcher.record(write("s3", 1));
  await writesReach(store, 3);
  t.deepEqual(
    store.writes.map((w) => w.sessionId),
    ["s1", "s2", "s3"],
    "a full round goes at once",
  );
  for (const g of store.gates.slice(1)) g.open();
  await Promise.all([second, third]);
});
