import { randomUUID } from "node:crypto";
import { waitFor } from "@marquee/kit/testing";
import test from "ava";
import { LiveSessions, type SessionState } from "../src/playback/live-sessions.js";

/** LiveSessions over a table of states, counting the reads it makes. */
function fixture(checkMs: number, max?: number) {
  const states = new Map<string, SessionState>();
  const reads: string[] = [];
  let gate: Promise<void> = Promise.resolve();
  const live = new LiveSessions(
    async (sessionId) => {
      reads.push(sessionId);
      await gate;
      return states.get(sessionId) ?? "ended";
    },
    { checkMs, max },
  );
  return {
    live,
    states,
    reads,
    /** Holds reads until the returned function is called. */
    hold() {
      let release = () => {};
      gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      return () => {
        gate = Promise.resolve();
        release();
      };
    },
  };
}

test("a state is read once per check interval, and requests arriving together share the read", async (t) => {
  const f = fixture(60_000);
  const id = randomUUID();
  f.states.set(id, "live");
  const answers = await Promise.all(Array.from({ length: 20 }, () => f.live.state(id)));
  t.true(answers.every((a) => a === "live"));
  t.deepEqual(f.reads, [id]);
  f.states.set(id, "lapsed");
  t.is(await f.live.state(id), "live", "trusted until the interval ends");
  t.is(f.reads.length, 1);
});

test("after the check interval the state is read again", async (t) => {
  const f = fixture(50);
  const id = randomUUID();
  f.states.set(id, "live");
  t.is(await f.live.state(id), "live");
  f.states.set(id, "lapsed");
  await waitFor("the lapse to be read", async () => (await f.live.state(id)) === "lapsed", 5_000);
  t.true(f.reads.length >= 2);
});

test("ended() refuses at once and for good, even over a read in flight that found the session live", async (t) => {
  const f = fixture(60_000);
  const id = randomUUID();
  f.states.set(id, "live");
  const release = f.hold();
  const inFlight = f.live.state(id);
  f.live.ended(id);
  release();
  t.is(await inFlight, "ended", "the stale read does not win");
  t.is(await f.live.state(id), "ended");
  t.deepEqual(f.reads, [id], "no read after the stop");
});

test("an ended session costs no reads for long after the check interval", async (t) => {
  const f = fixture(20);
  const id = randomUUID();
  t.is(await f.live.state(id), "ended");
  const other = randomUUID();
  f.states.set(other, "live");
  await f.live.state(other);
  await waitFor("the live state to be read again", async () => {
    await f.live.state(other);
    return f.reads.filter((r) => r === other).length >= 2;
  });
  t.is(await f.live.state(id), "ended");
  t.is(f.reads.filter((r) => r === id).length, 1);
});

test("changed() makes the next request read afresh", async (t) => {
  const f = fixture(60_000);
  const id = randomUUID();
  f.states.set(id, "lapsed");
  t.is(await f.live.state(id), "lapsed");
  f.states.set(id, "live");
  f.live.changed(id);
  t.is(await f.live.state(id), "live");
  t.is(f.reads.length, 2);
});

test("it remembers at most `max` sessions, the least recently asked about going first", async (t) => {
  const f = fixture(60_000, 2);
  const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
  for (const id of [a, b, c]) f.states.set(id, "live");
  await f.live.state(a);
  await f.live.state(b);
  await f.live.state(a);
  await f.live.state(c); // evicts b
  await f.live.state(a);
  await f.live.state(b);
  t.deepEqual(f.reads, [a, b, c, b]);
});

test("a store that cannot be read fails the request, and is asked again next time", async (t) => {
  let fail = true;
  let reads = 0;
  const live = new LiveSessions(
    async () => {
      reads += 1;
      if (fail) throw new Error("store down");
      return "live";
    },
    { checkMs: 60_000 },
  );
  const id = randomUUID();
  await t.throwsAsync(live.state(id), { message: "store down" });
  fail = false;
  t.is(await live.state(id), "live");
  t.is(reads, 3, "one retry for the failed request, then one read");
});
