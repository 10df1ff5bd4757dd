import { randomUUID } from "node:crypto";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { FeedbackCategory, RatingValue } from "@marquee/sdk/marquee/feedback/v1/feedback_service_pb";
import test from "ava";
import { ZERO_COUNTS } from "../src/ratings.js";
import { startHarness } from "./harness.js";

const code = (err: unknown) => ConnectError.from(err).code;

test("a rating is set, changed and removed; counts, score, the list and events follow", async (t) => {
  const h = await startHarness(t);
  const [p, other, c] = [randomUUID(), randomUUID(), randomUUID()];
  const set = await h.client.rateContent(
    { profileId: p, contentId: c, value: RatingValue.THUMBS_UP },
    h.member(p),
  );
  t.like(set.rating, { profileId: p, contentId: c, value: RatingValue.THUMBS_UP });
  await h.client.rateContent(
    { profileId: other, contentId: c, value: RatingValue.THUMBS_DOWN },
    h.member(other),
  );

  let counts = await h.client.getContentRatings({ contentId: c }, h.member(p));
  t.like(counts, {
    contentId: c,
    thumbsDownCount: 1n,
    thumbsUpCount: 1n,
    doubleThumbsUpCount: 0n,
    score: 50,
  });

  await h.client.rateContent(
    { profileId: p, contentId: c, value: RatingValue.DOUBLE_THUMBS_UP },
    h.member(p),
  );
  counts = await h.client.getContentRatings({ contentId: c }, h.member(p));
  t.like(counts, { thumbsDownCount: 1n, thumbsUpCount: 0n, doubleThumbsUpCount: 1n, score: 60 });
  const mine = await h.client.getUserRatings({ profileId: p, pageSize: 10 }, h.member(p));
  t.deepEqual(
    mine.ratings.map((r) => [r.contentId, r.value]),
    [[c, RatingValue.DOUBLE_THUMBS_UP]],
  );

  await h.client.removeRating({ profileId: p, contentId: c }, h.member(p));
  counts = await h.client.getContentRatings({ contentId: c }, h.member(p));
  t.like(counts, { thumbsDownCount: 1n, thumbsUpCount: 0n, doubleThumbsUpCount: 0n, score: 0 });
  t.deepEqual((await h.client.getUserRatings({ profileId: p, pageSize: 10 }, h.member(p))).ratings, []);

  t.deepEqual(
    h.events.changes.filter((e) => e.profileId === p).map((e) => [e.previousValue, e.value, e.seq]),
    [
      [0, 2, 1],
      [2, 3, 2],
      [3, 0, 3],
    ],
  );
});

test("removing a rating that does not exist succeeds and announces nothing", async (t) => {
  const h = await startHarness(t);
  const p = randomUUID();
  await h.client.removeRating({ profileId: p, contentId: randomUUID() }, h.member(p));
  t.deepEqual(h.events.changes, []);
});

test("a call whose event could not be published fails; its retry publishes the same version again", async (t) => {
  const h = await startHarness(t);
  const [p, c] = [randomUUID(), randomUUID()];
  h.events.failNext = 1;
  const err = await t.throwsAsync(
    h.client.rateContent({ profileId: p, contentId: c, value: RatingValue.THUMBS_UP }, h.member(p)),
  );
  t.is(code(err), Code.Internal);
  await h.client.rateContent({ profileId: p, contentId: c, value: RatingValue.THUMBS_UP }, h.member(p));
  t.like(h.events.changes, [{ seq: 1, value: 2, previousValue: 0 }]);
  t.like(await h.store.contentRatings(c), { thumbsUp: 1 }, "the retry counted nothing twice");
});

test("counts stay exact under many concurrent RateContent calls, including changes by the same profile", async (t) => {
  const h = await startHarness(t);
  const c = randomUUID();
  const profiles = Array.from({ length: 40 }, () => randomUUID());
  const values = [RatingValue.THUMBS_DOWN, RatingValue.THUMBS_UP, RatingValue.DOUBLE_THUMBS_UP];
  const calls: Promise<unknown>[] = [];
  for (let round = 0; round < 5; round++) {
    for (const [i, p] of profiles.entries()) {
      const call =
        (round + i) % 7 === 3
          ? h.client.removeRating({ profileId: p, contentId: c }, h.member(p))
          : h.client.rateContent(
              { profileId: p, contentId: c, value: values[(round * 5 + i) % 3] as RatingValue },
              h.member(p),
            );
      calls.push(call);
    }
  }
  await Promise.all(calls);
  const served = await h.client.getContentRatings({ contentId: c }, h.as({ kind: "anonymous", scopes: [] }));
  const recount = await h.store.recountContentRatings(c);
  t.deepEqual(
    [served.thumbsDownCount, served.thumbsUpCount, served.doubleThumbsUpCount],
    [BigInt(recount.thumbsDown), BigInt(recount.thumbsUp), BigInt(recount.doubleThumbsUp)],
  );
  let rated = 0;
  for (const p of profiles) {
    const latest = h.events.changes
      .filter((e) => e.profileId === p)
      .sort((a, b) => a.seq - b.seq)
      .at(-1);
    const stored = await h.store.getRating(p, c);
    t.is(stored?.value ?? 0, latest?.value ?? 0, "the last event of each profile carries its stored value");
    if (stored !== undefined) rated++;
  }
  t.is(recount.thumbsDown + recount.thumbsUp + recount.doubleThumbsUp, rated);
});

test("GetUserRatings pages newest first with page tokens", async (t) => {
  const h = await startHarness(t);
  const p = randomUUID();
  const titles = Array.from({ length: 5 }, () => randomUUID());
  for (const c of titles) {
    await h.client.rateContent({ profileId: p, contentId: c, value: RatingValue.THUMBS_UP }, h.member(p));
  }
  const seen: string[] = [];
  let pageToken = "";
  let pages = 0;
  do {
    const page = await h.client.getUserRatings({ profileId: p, pageSize: 2, pageToken }, h.member(p));
    seen.push(...page.ratings.map((r) => r.contentId));
    for (const r of page.ratings) t.truthy(r.updateTime && timestampDate(r.updateTime));
    pageToken = page.nextPageToken;
    pages++;
  } while (pageToken !== "" && pages < 10);
  t.is(pages, 3);
  t.deepEqual(seen, [...titles].reverse());
});

test("SubmitFeedback stores the text with profile, title, category and time for review", async (t) => {
  const h = await startHarness(t);
  const [p, c] = [randomUUID(), randomUUID()];
  const before = Date.now();
  const { feedbackId } = await h.client.submitFeedback(
    {
      profileId: p,
      contentId: c,
      category: FeedbackCategory.SUBTITLES_AUDIO,
      text: "subtitles drift by 2 s",
    },
    h.member(p),
  );
  const [stored] = await h.store.listFeedback(p);
  t.like(stored, { feedbackId, profileId: p, contentId: c, category: 3, text: "subtitles drift by 2 s" });
  t.true((stored?.createTime.getTime() ?? 0) >= before);
  const day = stored?.createTime.toISOString().slice(0, 10) ?? "";
  t.true((await h.store.listFeedbackForReview(day, 1000)).some((e) => e.feedbackId === feedbackId));
});

test("bad input gets InvalidArgument naming the field, and nothing is written", async (t) => {
  const h = await startHarness(t);
  const [p, c] = [randomUUID(), randomUUID()];
  const me = h.member(p);
  const bad: [string, () => Promise<unknown>, RegExp][] = [
    [
      "profile id",
      () => h.client.rateContent({ profileId: "nope", contentId: c, value: RatingValue.THUMBS_UP }, me),
      /profile_id/,
    ],
    [
      "content id",
      () => h.client.rateContent({ profileId: p, contentId: "x", value: RatingValue.THUMBS_UP }, me),
      /content_id/,
    ],
    [
      "no value",
      () => h.client.rateContent({ profileId: p, contentId: c, value: RatingValue.UNSPECIFIED }, me),
      /value/,
    ],
    [
      "unknown value",
      () => h.client.rateContent({ profileId: p, contentId: c, value: 9 as RatingValue }, me),
      /value/,
    ],
    ["remove: content id", () => h.client.removeRating({ profileId: p, contentId: "" }, me), /content_id/],
    [
      "empty text",
      () => h.client.submitFeedback({ profileId: p, category: FeedbackCategory.APP, text: "" }, me),
      /text/,
    ],
    [
      "blank text",
      () => h.client.submitFeedback({ profileId: p, category: FeedbackCategory.APP, text: " \n\t " }, me),
      /text/,
    ],
    [
      "long text",
      () =>
        h.client.submitFeedback({ profileId: p, category: FeedbackCategory.APP, text: "a".repeat(2001) }, me),
      /text/,
    ],
    [
      "no category",
      () => h.client.submitFeedback({ profileId: p, category: FeedbackCategory.UNSPECIFIED, text: "hi" }, me),
      /category/,
    ],
    [
      "feedback title",
      () =>
        h.client.submitFeedback(
          { profileId: p, contentId: "zz", category: FeedbackCategory.APP, text: "hi" },
          me,
        ),
      /content_id/,
    ],
    ["ratings of", () => h.client.getContentRatings({ contentId: "42" }, me), /content_id/],
    ["page size", () => h.client.getUserRatings({ profileId: p, pageSize: 0 }, me), /page_size/],
    ["page size too big", () => h.client.getUserRatings({ profileId: p, pageSize: 101 }, me), /page_size/],
    [
      "page token",
      () => h.client.getUserRatings({ profileId: p, pageSize: 5, pageToken: "garbage" }, me),
      /page_token/,
    ],
  ];
  for (const [what, call, field] of bad) {
    const err = await t.throwsAsync(call(), undefined, what);
    t.is(code(err), Code.InvalidArgument, what);
    t.regex(ConnectError.from(err).rawMessage, field, what);
  }
  t.deepEqual(await h.store.contentRatings(c), ZERO_COUNTS);
  t.deepEqual((await h.store.listRatings(p, 10)).ratings, []);
  t.deepEqual(await h.store.listFeedback(p), []);
  t.deepEqual(h.events.changes, []);
  // 2000 characters (not bytes) is still fine.
  await h.client.submitFeedback({ profileId: p, category: FeedbackCategory.APP, text: "é".repeat(2000) }, me);
  t.is((await h.store.listFeedback(p)).length, 1);
});

test("a member acts only on the profile they selected; ratings of a title are public", async (t) => {
  const h = await startHarness(t);
  const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
  const denied: [string, () => Promise<unknown>][] = [
    [
      "rate",
      () => h.client.rateContent({ profileId: b, contentId: c, value: RatingValue.THUMBS_UP }, h.member(a)),
    ],
    ["remove", () => h.client.removeRating({ profileId: b, contentId: c }, h.member(a))],
    [
      "feedback",
      () => h.client.submitFeedback({ profileId: b, category: FeedbackCategory.APP, text: "x" }, h.member(a)),
    ],
    ["list", () => h.client.getUserRatings({ profileId: b, pageSize: 10 }, h.member(a))],
    [
      "partner rates",
      () =>
        h.client.rateContent(
          { profileId: b, contentId: c, value: RatingValue.THUMBS_UP },
          h.as({ kind: "partner", partnerId: "acme", scopes: ["catalog:read"] }),
        ),
    ],
  ];
  for (const [what, call] of denied) t.is(code(await t.throwsAsync(call())), Code.PermissionDenied, what);
  const anonymous = h.as({ kind: "anonymous", scopes: [] });
  t.is(
    code(
      await t.throwsAsync(
        h.client.rateContent({ profileId: b, contentId: c, value: RatingValue.THUMBS_UP }, anonymous),
      ),
    ),
    Code.Unauthenticated,
  );
  t.deepEqual(await h.store.contentRatings(c), ZERO_COUNTS);
  t.deepEqual(await h.store.listFeedback(b), []);

  // Services act for any profile (e.g. the gateway's internal flows).
  await h.client.rateContent(
    { profileId: b, contentId: c, value: RatingValue.THUMBS_UP },
    h.as({ kind: "internal", service: "user", scopes: [] }),
  );
  for (const caller of [anonymous, h.member(a), h.as({ kind: "partner", partnerId: "acme", scopes: [] })]) {
    t.like(await h.client.getContentRatings({ contentId: c }, caller), { thumbsUpCount: 1n, score: 100 });
  }
});

test("ids in upper case name the same profile and title", async (t) => {
  const h = await startHarness(t);
  const [p, c] = [randomUUID(), randomUUID()];
  await h.client.rateContent(
    { profileId: p, contentId: c.toUpperCase(), value: RatingValue.THUMBS_DOWN },
    h.member(p),
  );
  t.like(await h.client.getContentRatings({ contentId: c }), { thumbsDownCount: 1n });
});

test("a title the caller cannot see cannot be rated: NotFound, nothing written; its rating can still be removed", async (t) => {
  const h = await startHarness(t);
  const [p, c] = [randomUUID(), randomUUID()];
  await h.client.rateContent({ profileId: p, contentId: c, value: RatingValue.THUMBS_UP }, h.member(p));
  h.hiddenTitles.add(c);
  const err = await t.throwsAsync(
    h.client.rateContent({ profileId: p, contentId: c, value: RatingValue.THUMBS_DOWN }, h.member(p)),
  );
  t.is(code(err), Code.NotFound);
  t.like(await h.store.contentRatings(c), { thumbsUp: 1, thumbsDown: 0 });
  t.is(h.events.changes.length, 1);
  await h.client.removeRating({ profileId: p, contentId: c }, h.member(p));
  t.deepEqual(await h.store.contentRatings(c), ZERO_COUNTS);
});
