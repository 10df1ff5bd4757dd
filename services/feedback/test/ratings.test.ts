import { randomUUID } from "node:crypto";
import test from "ava";
import { applyChange, nextUpdateTime, score, shardOf, TITLE_SHARDS, ZERO_COUNTS } from "../src/ratings.js";

test("score: weighted share of positive ratings, double thumbs up weighing 1.5", (t) => {
  t.is(score(ZERO_COUNTS), 0);
  t.is(score({ thumbsDown: 0, thumbsUp: 4, doubleThumbsUp: 0 }), 100);
  t.is(score({ thumbsDown: 0, thumbsUp: 0, doubleThumbsUp: 4 }), 100);
  t.is(score({ thumbsDown: 3, thumbsUp: 0, doubleThumbsUp: 0 }), 0);
  t.is(score({ thumbsDown: 1, thumbsUp: 1, doubleThumbsUp: 0 }), 50);
  t.is(score({ thumbsDown: 1, thumbsUp: 0, doubleThumbsUp: 1 }), 60);
  t.is(score({ thumbsDown: 2, thumbsUp: 1, doubleThumbsUp: 0 }), 33.3);
});

test("a change moves one count down and another up, and never below zero", (t) => {
  const counts = { thumbsDown: 1, thumbsUp: 2, doubleThumbsUp: 0 };
  t.deepEqual(applyChange(counts, 2, 3), { thumbsDown: 1, thumbsUp: 1, doubleThumbsUp: 1 });
  t.deepEqual(applyChange(counts, 0, 1), { thumbsDown: 2, thumbsUp: 2, doubleThumbsUp: 0 });
  t.deepEqual(applyChange(counts, 1, 0), { thumbsDown: 0, thumbsUp: 2, doubleThumbsUp: 0 });
  t.deepEqual(counts, { thumbsDown: 1, thumbsUp: 2, doubleThumbsUp: 0 }, "the input is not modified");
  t.throws(() => applyChange(counts, 3, 0), { message: /negative/ });
});

test("profiles spread over every shard, each always to the same one", (t) => {
  const seen = new Map<number, number>();
  for (let i = 0; i < 4000; i++) {
    const s = shardOf(randomUUID());
    seen.set(s, (seen.get(s) ?? 0) + 1);
  }
  t.is(seen.size, TITLE_SHARDS);
  for (const n of seen.values()) t.true(n > 4000 / TITLE_SHARDS / 2, "no shard is starved");
  const id = randomUUID();
  t.is(shardOf(id), shardOf(id));
});

test("a new version's time is now, or just after the previous one when the clock lags", (t) => {
  const now = new Date(1_000_000);
  t.is(nextUpdateTime(now, undefined), now);
  t.is(nextUpdateTime(now, new Date(999_000)), now);
  t.deepEqual(nextUpdateTime(now, new Date(1_000_000)), new Date(1_000_001));
  t.deepEqual(nextUpdateTime(now, new Date(2_000_000)), new Date(2_000_001));
});
