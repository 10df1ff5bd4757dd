import { create } from "@bufbuild/protobuf";
import { ContentSchema } from "@marquee/sdk/marquee/content/v1/content_pb";
import test from "ava";
import { TRENDING_MIN, trendingRow } from "../src/lib/trending-row.js";

const titles = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) =>
    create(ContentSchema, { contentId: `${prefix}${i}`, title: `${prefix}${i}` }),
  );
const ids = (row: { contents: { contentId: string }[] }) => row.contents.map((c) => c.contentId);

test("enough trending titles: the row is theirs and popular titles are not asked for", async (t) => {
  const row = await trendingRow(titles("t", TRENDING_MIN), () => Promise.reject(new Error("not needed")));
  t.is(row.title, "Trending Now");
  t.is(row.contents.length, TRENDING_MIN);
});

test("nothing trending: popular titles, called so", async (t) => {
  const row = await trendingRow([], async () => titles("p", 25));
  t.is(row.title, "Popular on Marquee");
  t.is(row.contents.length, 20);
});

test("a few trending titles come first, then popular ones not already there", async (t) => {
  const trending = titles("t", 2);
  const popular = [...titles("p", 3), ...trending];
  const row = await trendingRow(trending, async () => popular);
  t.is(row.title, "Trending & Popular on Marquee");
  t.deepEqual(ids(row), ["t0", "t1", "p0", "p1", "p2"]);
});
