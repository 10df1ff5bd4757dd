import { randomUUID } from "node:crypto";
import type { TestFn } from "ava";
import { applyChange, type RatingCounts, type RatingValue, ZERO_COUNTS } from "../src/ratings.js";
import type { FeedbackEntry, FeedbackStore, RatingChange, StoredRating } from "../src/store.js";

/**
 * Returns a store for a test. Tests use fresh random ids, so a factory may hand
 * every test the same store; it closes its stores itself.
 */
export type StoreFactory = () => Promise<FeedbackStore>;

const at = (ms: number) => new Date(Date.UTC(2026, 10, 23, 12, 0, 0) + ms);

/** What the title's counts must be, from the individual ratings we know of. */
async function expectedCounts(
  store: FeedbackStore,
  contentId: string,
  profiles: string[],
): Promise<RatingCounts> {
  let counts: RatingCounts = { ...ZERO_COUNTS };
  for (const p of profiles)
    counts = applyChange(counts, 0, (await store.getRating(p, contentId))?.value ?? 0);
  return counts;
}

/** The behaviour every FeedbackStore adapter must have; each adapter's test file calls this. */
export function feedbackStoreContract(test: TestFn, open: StoreFactory): void {
  test("a rating is set, changed and removed: each a new version naming the value it replaced", async (t) => {
    const store = await open();
    const [p, c] = [randomUUID(), randomUUID()];
    const first = await store.setRating(p, c, 2, at(0));
    t.like(first, { profileId: p, contentId: c, value: 2, previousValue: 0, seq: 1, changed: true });
    t.deepEqual(first?.updateTime, at(0));
    t.like(await store.getRating(p, c), { value: 2 });
    t.deepEqual(await store.contentRatings(c), { thumbsDown: 0, thumbsUp: 1, doubleThumbsUp: 0 });

    const changed = await store.setRating(p, c, 3, at(1000));
    t.like(changed, { value: 3, previousValue: 2, seq: 2, changed: true });
    t.deepEqual(await store.contentRatings(c), { thumbsDown: 0, thumbsUp: 0, doubleThumbsUp: 1 });

    const removed = await store.setRating(p, c, 0, at(2000));
    t.like(removed, { value: 0, previousValue: 3, seq: 3, changed: true });
    t.is(await store.getRating(p, c), undefined);
    t.deepEqual(await store.contentRatings(c), ZERO_COUNTS);
    t.deepEqual((await store.listRatings(p, 10)).ratings, []);

    const again = await store.setRating(p, c, 1, at(3000));
    t.like(again, { value: 1, previousValue: 0, seq: 4, changed: true });
    t.deepEqual(await store.contentRatings(c), { thumbsDown: 1, thumbsUp: 0, doubleThumbsUp: 0 });
    t.deepEqual(await store.recountContentRatings(c), await store.contentRatings(c));
  });

  test("repeating a rating changes nothing and returns the stored version", async (t) => {
    const store = await open();
    const [p, c] = [randomUUID(), randomUUID()];
    await store.setRating(p, c, 1, at(0));
    const second = await store.setRating(p, c, 2, at(10));
    const repeat = await store.setRating(p, c, 2, at(20));
    t.deepEqual(repeat, { ...(second as RatingChange), changed: false });
    t.deepEqual(await store.contentRatings(c), { thumbsDown: 0, thumbsUp: 1, doubleThumbsUp: 0 });
    await store.setRating(p, c, 0, at(30));
    const removedAgain = await store.setRating(p, c, 0, at(40));
    t.like(removedAgain, { value: 0, previousValue: 2, seq: 3, changed: false });
    t.deepEqual(await store.contentRatings(c), ZERO_COUNTS);
  });

  test("removing a rating that never existed writes nothing", async (t) => {
    const store = await open();
    const [p, c] = [randomUUID(), randomUUID()];
    t.is(await store.setRating(p, c, 0, at(0)), undefined);
    t.is(await store.getRating(p, c), undefined);
    t.deepEqual(await store.contentRatings(c), ZERO_COUNTS);
    t.deepEqual(await store.eraseProfile(p), { ratings: 0, feedback: 0 });
  });

  test("versions of one rating get strictly later times even when the clock goes back", async (t) => {
    const store = await open();
    const [p, c] = [randomUUID(), randomUUID()];
    await store.setRating(p, c, 1, at(5000));
    const next = await store.setRating(p, c, 2, at(0));
    t.deepEqual(next?.updateTime, at(5001));
    t.like(await store.getRating(p, c), { value: 2 });
    const list = await store.listRatings(p, 10);
    t.deepEqual(
      list.ratings.map((r) => [r.value, r.updateTime.getTime()]),
      [[2, at(5001).getTime()]],
    );
  });

  test("counts of different titles stay apart", async (t) => {
    const store = await open();
    const [c1, c2] = [randomUUID(), randomUUID()];
    const profiles = Array.from({ length: 5 }, () => randomUUID());
    for (const [i, p] of profiles.entries()) {
      await store.setRating(p, c1, 3, at(i));
      if (i % 2 === 0) await store.setRating(p, c2, 1, at(i));
    }
    t.deepEqual(await store.contentRatings(c1), { thumbsDown: 0, thumbsUp: 0, doubleThumbsUp: 5 });
    t.deepEqual(await store.contentRatings(c2), { thumbsDown: 3, thumbsUp: 0, doubleThumbsUp: 0 });
  });

  test("counts stay exact under concurrent ratings by many profiles and changes by the same profile", async (t) => {
    const store = await open();
    const c = randomUUID();
    const profiles = Array.from({ length: 30 }, () => randomUUID());
    const busy = profiles.slice(0, 3);
    const values: RatingValue[] = [0, 1, 2, 3];
    const calls: Promise<unknown>[] = [];
    // Every profile rates; three profiles also change and remove their rating many times, all at once.
    for (const [i, p] of profiles.entries())
      calls.push(store.setRating(p, c, values[1 + (i % 3)] as RatingValue, at(i)));
    for (let round = 0; round < 12; round++) {
      for (const p of busy)
        calls.push(store.setRating(p, c, values[(round * 7 + 1) % 4] as RatingValue, at(round)));
    }
    const results = await Promise.allSettled(calls);
    t.deepEqual(
      results.filter((r) => r.status === "rejected"),
      [],
    );
    const counts = await store.contentRatings(c);
    t.deepEqual(counts, await store.recountContentRatings(c), "aggregate equals a recount");
    t.deepEqual(counts, await expectedCounts(store, c, profiles), "aggregate equals the profiles' ratings");
    const changes = results.flatMap((r) =>
      r.status === "fulfilled" && r.value !== undefined ? [r.value as RatingChange] : [],
    );
    for (const p of busy) {
      // The versions that changed something form one unbroken chain: each replaced the one before.
      const chain = changes.filter((ch) => ch.profileId === p && ch.changed).sort((a, b) => a.seq - b.seq);
      t.deepEqual(
        chain.map((ch) => ch.seq),
        chain.map((_, i) => i + 1),
      );
      for (let i = 1; i < chain.length; i++) {
        t.is(chain[i]?.previousValue, chain[i - 1]?.value);
        t.true((chain[i]?.updateTime.getTime() ?? 0) > (chain[i - 1]?.updateTime.getTime() ?? 0));
      }
      t.is((await store.getRating(p, c))?.value ?? 0, chain.at(-1)?.value ?? 0);
    }
  });

  test("a profile's ratings page newest first, without gaps or repeats", async (t) => {
    const store = await open();
    const p = randomUUID();
    const titles = Array.from({ length: 7 }, () => randomUUID());
    for (const [i, c] of titles.entries()) await store.setRating(p, c, 2, at(i * 1000));
    await store.setRating(p, titles[1] as string, 3, at(10_000)); // moves to the front
    await store.setRating(p, titles[4] as string, 0, at(11_000)); // leaves the list
    await store.setRating(randomUUID(), titles[0] as string, 1, at(12_000)); // someone else's
    const seen: StoredRating[] = [];
    let after: Awaited<ReturnType<FeedbackStore["listRatings"]>>["next"];
    let pages = 0;
    do {
      const page = await store.listRatings(p, 3, after);
      seen.push(...page.ratings);
      after = page.next;
      pages++;
    } while (after !== undefined && pages < 10);
    t.is(pages, 2);
    const expected = [1, 6, 5, 3, 2, 0].map((i) => titles[i]);
    t.deepEqual(
      seen.map((r) => r.contentId),
      expected,
    );
    t.deepEqual(
      seen.map((r) => r.value),
      [3, 2, 2, 2, 2, 2],
    );
    t.true(seen.every((r) => r.profileId === p));
  });

  test("ratings set in the same millisecond page in one stable order", async (t) => {
    const store = await open();
    const p = randomUUID();
    const titles = Array.from({ length: 5 }, () => randomUUID());
    for (const c of titles) await store.setRating(p, c, 1, at(0));
    const first = await store.listRatings(p, 2);
    const rest = await store.listRatings(p, 10, first.next);
    const all = [...first.ratings, ...rest.ratings].map((r) => r.contentId);
    t.deepEqual(all, [...titles].sort().reverse());
    t.is(rest.next, undefined);
  });

  test("feedback is kept by profile and in the day's review queue", async (t) => {
    const store = await open();
    const p = randomUUID();
    const entries: FeedbackEntry[] = [
      {
        feedbackId: randomUUID(),
        profileId: p,
        contentId: randomUUID(),
        category: 2,
        text: "stutters at 1080p",
        createTime: at(0),
      },
      {
        feedbackId: randomUUID(),
        profileId: p,
        contentId: "",
        category: 4,
        text: "love the app ✨",
        createTime: at(60_000),
      },
    ];
    for (const e of entries) await store.addFeedback(e);
    t.deepEqual(await store.listFeedback(p), [entries[1], entries[0]]);
    const queue = await store.listFeedbackForReview("2026-11-23", 1000);
    t.deepEqual(
      queue.filter((e) => e.profileId === p),
      [entries[1], entries[0]],
    );
    t.deepEqual(await store.listFeedbackForReview("2026-11-22", 1000), []);
  });

  test("erasing a profile removes its ratings with their counts and its feedback, and only those; again is a no-op", async (t) => {
    const store = await open();
    const [gone, kept] = [randomUUID(), randomUUID()];
    const [c1, c2, c3] = [randomUUID(), randomUUID(), randomUUID()];
    await store.setRating(gone, c1, 3, at(0));
    await store.setRating(gone, c2, 1, at(1));
    await store.setRating(gone, c3, 2, at(2));
    await store.setRating(gone, c3, 0, at(3)); // removed before erasure: nothing to take off
    await store.setRating(kept, c1, 2, at(4));
    const feedback = { feedbackId: randomUUID(), contentId: "", category: 5, text: "hi", createTime: at(5) };
    await store.addFeedback({ ...feedback, profileId: gone });
    await store.addFeedback({ ...feedback, feedbackId: randomUUID(), profileId: kept });

    t.deepEqual(await store.eraseProfile(gone), { ratings: 2, feedback: 1 });
    t.is(await store.getRating(gone, c1), undefined);
    t.deepEqual((await store.listRatings(gone, 10)).ratings, []);
    t.deepEqual(await store.listFeedback(gone), []);
    t.deepEqual(await store.contentRatings(c1), { thumbsDown: 0, thumbsUp: 1, doubleThumbsUp: 0 });
    t.deepEqual(await store.contentRatings(c2), ZERO_COUNTS);
    t.deepEqual(await store.recountContentRatings(c1), await store.contentRatings(c1));
    const queue = await store.listFeedbackForReview("2026-11-23", 1000);
    t.false(queue.some((e) => e.profileId === gone));
    t.true(queue.some((e) => e.profileId === kept));
    t.like(await store.getRating(kept, c1), { value: 2 });
    t.is((await store.listFeedback(kept)).length, 1);

    t.deepEqual(await store.eraseProfile(gone), { ratings: 0, feedback: 0 });
    t.deepEqual(await store.contentRatings(c1), { thumbsDown: 0, thumbsUp: 1, doubleThumbsUp: 0 });
  });

  test("erasures racing with other profiles' ratings of the same titles keep the counts exact", async (t) => {
    const store = await open();
    const titles = [randomUUID(), randomUUID()];
    const leaving = Array.from({ length: 8 }, () => randomUUID());
    const staying = Array.from({ length: 12 }, () => randomUUID());
    for (const [i, p] of leaving.entries()) {
      for (const c of titles) await store.setRating(p, c, (1 + (i % 3)) as RatingValue, at(i));
    }
    await Promise.all([
      ...leaving.map((p) => store.eraseProfile(p)),
      ...staying.flatMap((p, i) =>
        titles.map((c) => store.setRating(p, c, (1 + (i % 3)) as RatingValue, at(i))),
      ),
    ]);
    for (const c of titles) {
      const counts = await store.contentRatings(c);
      t.deepEqual(counts, await store.recountContentRatings(c));
      t.deepEqual(counts, await expectedCounts(store, c, staying));
      t.is(counts.thumbsDown + counts.thumbsUp + counts.doubleThumbsUp, staying.length);
    }
  });
}
