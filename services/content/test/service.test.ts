import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { EVENTS, publishEvent } from "@marquee/kit/bus";
import { waitFor } from "@marquee/kit/testing";
import { ContentType, PublishState } from "@marquee/sdk/marquee/content/v1/content_pb";
import {
  BrowseSort,
  ContentWithheld_Reason,
  ContentWithheldSchema,
} from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { PlaybackHeartbeatSchema } from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import anyTest, { type TestFn } from "ava";
import { FIXTURE_TITLES } from "../src/catalog/fixtures.js";
import { uuidV5 } from "../src/catalog/uuid.js";
import { type ContentFixture, callers, startFixture } from "./fixture.js";
import { input } from "./helpers.js";

const test = anyTest as TestFn<{ f: ContentFixture }>;

test.before(async (t) => {
  t.context.f = await startFixture({ seedSize: 200 });
});
test.after.always(async (t) => {
  await t.context.f?.close();
});

const fixtureId = (title: string) => {
  const f = FIXTURE_TITLES.find((x) => x.title === title);
  if (f === undefined) throw new Error(`no fixture ${title}`);
  return uuidV5(`${f.title}|${f.year}`);
};

async function code(p: Promise<unknown>): Promise<Code | "ok"> {
  try {
    await p;
    return "ok";
  } catch (err) {
    return ConnectError.from(err).code;
  }
}

// ---- browse ----

test("browse pages through a genre by popularity with tokens, no repeats", async (t) => {
  const c = t.context.f.client(callers.adult);
  const seen: string[] = [];
  let token = "";
  let pops: number[] = [];
  for (let i = 0; i < 100; i++) {
    const page = await c.browseContent({ genreId: "drama", pageSize: 9, pageToken: token });
    seen.push(...page.contents.map((x) => x.contentId));
    pops = pops.concat(page.contents.map((x) => x.popularity));
    t.true(page.contents.every((x) => x.genreIds.includes("drama") && x.seasons.length === 0));
    if (page.nextPageToken === "") break;
    token = page.nextPageToken;
  }
  t.true(seen.length > 20);
  t.is(new Set(seen).size, seen.length);
  t.deepEqual(
    pops,
    [...pops].sort((a, b) => b - a),
    "most popular first",
  );
});

test("browse sorts by newest and by title", async (t) => {
  const c = t.context.f.client(callers.adult);
  const newest = await c.browseContent({ sort: BrowseSort.NEWEST, pageSize: 30 });
  const dates = newest.contents.map((x) => x.releaseDate);
  t.deepEqual(dates, [...dates].sort().reverse());
  const byTitle = await c.browseContent({ sort: BrowseSort.TITLE, pageSize: 30 });
  t.is(byTitle.contents.length, 30);
  t.true(byTitle.contents.some((x) => x.title === "Alien" || x.title.startsWith("A")));
});

test("bad input gives InvalidArgument: page size 0 or huge, unknown genre, 10 kB query, foreign token", async (t) => {
  const c = t.context.f.client(callers.adult);
  t.is(await code(c.browseContent({ pageSize: 0 })), Code.InvalidArgument);
  t.is(await code(c.browseContent({ pageSize: 100_000 })), Code.InvalidArgument);
  t.is(await code(c.browseContent({ pageSize: 10, genreId: "space-opera" })), Code.InvalidArgument);
  t.is(await code(c.searchContent({ query: "x".repeat(10_240), pageSize: 10 })), Code.InvalidArgument);
  t.is(await code(c.searchContent({ query: "star", pageSize: 0 })), Code.InvalidArgument);
  t.is(
    await code(c.searchContent({ query: "star", pageSize: 10, genreIds: ["space-opera"] })),
    Code.InvalidArgument,
  );
  t.is(await code(c.searchContent({ query: "   ", pageSize: 10 })), Code.InvalidArgument);
  t.is(
    await code(c.searchContent({ query: "star", pageSize: 10, releaseYearFrom: 2000, releaseYearTo: 1990 })),
    Code.InvalidArgument,
  );
  t.is(await code(c.browseContent({ pageSize: 10, pageToken: "not-a-token" })), Code.InvalidArgument);
  const drama = await c.browseContent({ genreId: "drama", pageSize: 5 });
  t.is(
    await code(c.browseContent({ genreId: "comedy", pageSize: 5, pageToken: drama.nextPageToken })),
    Code.InvalidArgument,
  );
  t.is(await code(c.getContentDetails({ contentId: "nope" })), Code.InvalidArgument);
  t.is(await code(c.getTrending({ pageSize: 51 })), Code.InvalidArgument);
});

// ---- search and details ----

test("search finds a title through the RPC and pages with a token bound to the query", async (t) => {
  const c = t.context.f.client(callers.adult);
  const res = await c.searchContent({ query: "godfater", pageSize: 1 });
  t.is(res.results[0]?.content?.title, "The Godfather");
  t.true(res.totalSize >= 2);
  t.not(res.nextPageToken, "");
  const next = await c.searchContent({ query: "godfater", pageSize: 1, pageToken: res.nextPageToken });
  t.is(next.results[0]?.content?.title, "The Godfather Part II");
  t.is(
    await code(c.searchContent({ query: "amelie", pageSize: 1, pageToken: res.nextPageToken })),
    Code.InvalidArgument,
  );
});

test("details carry seasons and episodes; unknown ids are NotFound", async (t) => {
  const c = t.context.f.client(callers.adult);
  const { content } = await c.getContentDetails({ contentId: fixtureId("Breaking Bad") });
  t.is(content?.type, ContentType.SERIES);
  t.true((content?.seasons.length ?? 0) >= 1);
  t.true((content?.seasons[0]?.episodes.length ?? 0) >= 6);
  t.is(await code(c.getContentDetails({ contentId: "00000000-0000-4000-8000-000000000000" })), Code.NotFound);
});

test("genres list all 24 with counts; a kids profile counts fewer", async (t) => {
  const adult = await t.context.f.client(callers.adult).getGenres({});
  const kids = await t.context.f.client(callers.kids).getGenres({});
  t.is(adult.genres.length, 24);
  const drama = adult.genres.find((g) => g.genreId === "drama");
  t.true((drama?.titleCount ?? 0) > 10);
  const kidsDrama = kids.genres.find((g) => g.genreId === "drama");
  t.true((kidsDrama?.titleCount ?? 0) < (drama?.titleCount ?? 0));
  const browse = await t.context.f.client(callers.adult).browseContent({ genreId: "western", pageSize: 100 });
  t.is(adult.genres.find((g) => g.genreId === "western")?.titleCount, browse.contents.length);
});

// ---- maturity ----

test("a kids profile never sees a title above its cap: browse, search, details", async (t) => {
  const kids = t.context.f.client(callers.kids);
  let token = "";
  let total = 0;
  for (let i = 0; i < 100; i++) {
    const page = await kids.browseContent({ pageSize: 50, pageToken: token });
    total += page.contents.length;
    t.true(page.contents.every((x) => x.maturityRating <= 1));
    if (page.nextPageToken === "") break;
    token = page.nextPageToken;
  }
  t.true(total > 5, "kids still see their titles");
  for (const q of ["godfather", "tom hanks", "star wars", "the", "matrix"]) {
    const res = await kids.searchContent({ query: q, pageSize: 50 });
    t.true(
      res.results.every((r) => (r.content?.maturityRating ?? 9) <= 1),
      q,
    );
  }
  t.is(
    (await kids.searchContent({ query: "tom hanks", pageSize: 5 })).results[0]?.content?.title,
    "Toy Story",
  );
  const withheld = await t.throwsAsync(kids.getContentDetails({ contentId: fixtureId("The Godfather") }));
  const refusal = ConnectError.from(withheld);
  t.is(refusal.code, Code.PermissionDenied, "a title above the cap is withheld, not missing");
  t.is(refusal.findDetails(ContentWithheldSchema)[0]?.reason, ContentWithheld_Reason.MATURITY_CAP);
  t.is(
    await code(kids.getContentDetails({ contentId: "00000000-0000-4000-8000-000000000000" })),
    Code.NotFound,
    "an unknown title is still not found",
  );
  t.is(await code(kids.getContentDetails({ contentId: fixtureId("Toy Story") })), "ok");
});

test("a request may narrow the cap but never widen it", async (t) => {
  const adult = t.context.f.client(callers.adult);
  const narrowed = await adult.searchContent({ query: "godfather", pageSize: 10, maxMaturityRating: 3 });
  t.true(narrowed.results.every((r) => (r.content?.maturityRating ?? 9) <= 3));
  const kids = t.context.f.client(callers.kids);
  const widened = await kids.browseContent({ pageSize: 50, maxMaturityRating: 4 });
  t.true(widened.contents.every((x) => x.maturityRating <= 1));
});

// ---- operator RPCs ----

test("operator RPCs are refused to members and anonymous callers, and to partners without the scope", async (t) => {
  const f = t.context.f;
  const id = fixtureId("Jaws");
  for (const [who, expected] of [
    [callers.adult, Code.PermissionDenied],
    [callers.kids, Code.PermissionDenied],
    [callers.partner, Code.PermissionDenied],
    [callers.anonymous, Code.Unauthenticated],
  ] as const) {
    const c = f.client(who);
    t.is(await code(c.createContent({ content: input() })), expected, `create by ${who.kind}`);
    t.is(await code(c.updateContent({ contentId: id, content: input() })), expected, `update by ${who.kind}`);
    t.is(await code(c.publishContent({ contentId: id })), expected);
    t.is(await code(c.unpublishContent({ contentId: id })), expected);
    t.is(
      await code(c.attachMedia({ contentId: id, media: { assetId: "a", manifestPath: "/m.mpd" } })),
      Code.PermissionDenied,
      `attach by ${who.kind}`,
    );
  }
  t.is(
    await code(f.client(callers.operator).attachMedia({ contentId: id, media: { assetId: "a" } })),
    Code.PermissionDenied,
    "media is attached by ingest only",
  );
  t.is(
    (await f.client(callers.adult).getContentDetails({ contentId: id })).content?.title,
    "Jaws",
    "nothing changed",
  );
});

test("operator input is checked: unknown genre, seasons on a movie", async (t) => {
  const op = t.context.f.client(callers.operator);
  t.is(await code(op.createContent({ content: input({ genreIds: ["space-opera"] }) })), Code.InvalidArgument);
  t.is(
    await code(op.createContent({ content: input({ seasons: [{ seasonNumber: 1, episodes: [] }] }) })),
    Code.InvalidArgument,
  );
  t.is(await code(op.createContent({ content: input({ title: "" }) })), Code.InvalidArgument);
  t.is(await code(op.publishContent({ contentId: "00000000-0000-4000-8000-000000000000" })), Code.NotFound);
});

test("create, publish, update and unpublish: search follows within a bounded time", async (t) => {
  const f = t.context.f;
  const op = f.client(callers.operator);
  const member = f.client(callers.adult);
  const { content } = await op.createContent({ content: input({ title: "Quillfeather Station" }) });
  const id = content?.contentId ?? "";
  t.is(content?.publishState, PublishState.DRAFT);
  t.is(await code(member.getContentDetails({ contentId: id })), Code.NotFound, "a draft is not visible");
  const found = async (q: string) =>
    (await member.searchContent({ query: q, pageSize: 5 })).results.some((r) => r.content?.contentId === id);
  t.false(await found("quillfeather"));

  await op.publishContent({ contentId: id });
  await waitFor("the published title in search", () => found("quillfeather"), 15_000);
  t.is((await member.getContentDetails({ contentId: id })).content?.title, "Quillfeather Station");
  const thriller = await member.browseContent({ genreId: "thriller", sort: BrowseSort.NEWEST, pageSize: 5 });
  t.true(
    thriller.contents.some((x) => x.contentId === id),
    "browse lists it at once",
  );

  await op.updateContent({ contentId: id, content: input({ title: "Marrowgate Station" }) });
  await waitFor("the new title in search", () => found("marrowgate"), 15_000);
  t.false(await found("quillfeather"), "the old words are gone");

  await op.unpublishContent({ contentId: id });
  await waitFor("the unpublished title to leave search", async () => !(await found("marrowgate")), 15_000);
  t.is(await code(member.getContentDetails({ contentId: id })), Code.NotFound);
  const again = await member.browseContent({ genreId: "thriller", sort: BrowseSort.NEWEST, pageSize: 5 });
  t.false(again.contents.some((x) => x.contentId === id));
  // Unpublishing again is harmless; a draft cannot be unpublished.
  t.is(await code(op.unpublishContent({ contentId: id })), "ok");
  const draft = await op.createContent({ content: input({ title: "Never Shown" }) });
  t.is(
    await code(op.unpublishContent({ contentId: draft.content?.contentId ?? "" })),
    Code.FailedPrecondition,
  );
});

test("CreateContent with a request id creates once: a retry returns the title as it is now", async (t) => {
  const f = t.context.f;
  const op = f.client(callers.operator);
  const requestId = "9a4c1f0e-2b7d-4e8a-b3c6-5d1f7e9a0b24";
  const first = await op.createContent({ content: input({ title: "Only Once" }), requestId });
  const id = first.content?.contentId ?? "";
  await op.updateContent({ contentId: id, content: input({ title: "Only Once, Renamed" }) });
  const retried = await op.createContent({ content: input({ title: "Only Once" }), requestId });
  t.is(retried.content?.contentId, id);
  t.is(retried.content?.title, "Only Once, Renamed", "the retry changed nothing");
  const other = await op.createContent({
    content: input({ title: "Only Once" }),
    requestId: "0b5d2e1f-3c8e-4f9b-a4d7-6e2f8a0b1c35",
  });
  t.not(other.content?.contentId, id, "another request id is another title");
  const plain = await Promise.all([1, 2].map(() => op.createContent({ content: input() })));
  t.not(plain[0]?.content?.contentId, plain[1]?.content?.contentId, "without one, each call creates");
  t.is(await code(op.createContent({ content: input(), requestId: "not-a-uuid" })), Code.InvalidArgument);
});

test("AttachMedia: ingest sets a movie's media and an episode's media", async (t) => {
  const f = t.context.f;
  const ingest = f.client(callers.internal);
  const movieId = fixtureId("Alien");
  const res = await ingest.attachMedia({
    contentId: movieId,
    media: { assetId: "asset-1", manifestPath: "/media/asset-1/manifest.mpd", maxHeight: 1080 },
  });
  t.is(res.content?.media?.manifestPath, "/media/asset-1/manifest.mpd");
  t.is((await f.store.get(movieId))?.media?.assetId, "asset-1");
  const seriesId = fixtureId("Dark");
  const series = await f.store.get(seriesId);
  const episodeId = series?.seasons[0]?.episodes[1]?.episodeId ?? "";
  await ingest.attachMedia({ contentId: seriesId, episodeId, media: { assetId: "asset-2" } });
  const after = await f.client(callers.adult).getContentDetails({ contentId: seriesId });
  t.is(after.content?.seasons[0]?.episodes[1]?.media?.assetId, "asset-2");
  t.is(
    await code(
      ingest.attachMedia({
        contentId: seriesId,
        episodeId: "00000000-0000-4000-8000-000000000000",
        media: {},
      }),
    ),
    Code.NotFound,
  );
  t.is(await code(ingest.attachMedia({ contentId: seriesId, media: {} })), Code.InvalidArgument);
  t.is(await code(ingest.attachMedia({ contentId: movieId, episodeId, media: {} })), Code.InvalidArgument);
});

// ---- trending ----

/** A viewer's report of the readings `seqs`, taken `minsAgo` minutes ago. */
async function report(
  f: ContentFixture,
  profileId: string,
  contentId: string,
  country: string,
  seqs: number[],
  minsAgo = 1,
) {
  const sessionId = `s-${profileId}-${contentId}`;
  const eventTime = timestampFromDate(new Date(Date.now() - minsAgo * 60_000));
  await publishEvent(
    f.bus,
    EVENTS.playbackReport,
    {
      sessionId,
      profileId,
      userId: `u-${profileId}`,
      contentId,
      country,
      readings: seqs.map((seq) => ({ sequence: BigInt(seq), eventTime })),
    },
    `${sessionId}:${seqs[0]}-${seqs.at(-1)}`,
    profileId,
  );
}

/** A heartbeat as published before reports (one message per reading), still on the stream after an upgrade. */
async function legacyHeartbeat(f: ContentFixture, profileId: string, contentId: string, country: string) {
  const hb = create(PlaybackHeartbeatSchema, {
    sessionId: `s-${profileId}-${contentId}`,
    sequence: 1n,
    profileId,
    userId: `u-${profileId}`,
    contentId,
    country,
    eventTime: timestampFromDate(new Date(Date.now() - 60_000)),
  });
  await f.bus.publish(
    EVENTS.playbackReport.subject(profileId),
    toBinary(PlaybackHeartbeatSchema, hb),
    `s-${profileId}-${contentId}:1`,
  );
}

test("trending counts distinct viewers, decays with time, per country and worldwide, under the cap", async (t) => {
  const f = t.context.f;
  const godfather = fixtureId("The Godfather");
  const toyStory = fixtureId("Toy Story");
  const nemo = fixtureId("Finding Nemo");
  // The Godfather: 3 viewers now (FR), one of them a heartbeat from before reports. Toy Story: 1
  // viewer sending many heartbeats, in reports of ten (FR). Finding Nemo: 4 viewers, but 6 hours
  // (one half-life) ago (DE): worth 2.
  for (const p of ["a", "b"]) await report(f, `tp-${p}`, godfather, "FR", [1]);
  await legacyHeartbeat(f, "tp-c", godfather, "FR");
  for (let first = 1; first <= 30; first += 10) {
    await report(
      f,
      "tp-solo",
      toyStory,
      "FR",
      [...Array(10).keys()].map((i) => first + i),
    );
  }
  for (const p of ["d", "e", "f", "g"]) await report(f, `tp-${p}`, nemo, "DE", [1], 6 * 60);
  const adult = f.client(callers.adult);
  const world = await waitFor("trending to reflect the heartbeats", async () => {
    const res = await adult.getTrending({ pageSize: 10 });
    // All heartbeats handled: 3 + 4 × ½ + 1.
    const total = res.items.reduce((sum, i) => sum + i.score, 0);
    return total > 5.95 ? res : undefined;
  });
  t.deepEqual(
    world.items.map((i) => i.content?.contentId),
    [godfather, nemo, toyStory],
    "3 fresh viewers > 4 viewers 6 h ago > 1 viewer however many heartbeats",
  );
  t.deepEqual(
    world.items.map((i) => i.rank),
    [1, 2, 3],
  );
  t.true(Math.abs((world.items[2]?.score ?? 0) - 1) < 0.01, "one viewer counts once");
  t.true(Math.abs((world.items[1]?.score ?? 0) - 2) < 0.02, "four viewers one half-life ago count two");
  const fr = await adult.getTrending({ country: "FR", pageSize: 10 });
  t.deepEqual(
    fr.items.map((i) => i.content?.contentId),
    [godfather, toyStory],
  );
  const kids = await f.client(callers.kids).getTrending({ pageSize: 10 });
  t.deepEqual(
    kids.items.map((i) => i.content?.contentId),
    [nemo, toyStory],
    "The Godfather is above a kids cap",
  );
});
