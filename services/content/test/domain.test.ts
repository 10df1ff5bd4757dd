import { MaturityRating } from "@marquee/sdk/marquee/common/v1/maturity_pb";
import test from "ava";
import { generateCatalog } from "../src/catalog/generate.js";
import { uuidV5 } from "../src/catalog/uuid.js";
import { effectiveCap, NO_CAP } from "../src/domain/maturity.js";
import { foldText, sortKey, titleSortKey } from "../src/domain/sort-keys.js";
import { rankTrending, scopesOf } from "../src/domain/trending.js";

test("the cap in force is the lower of profile and request; 0 means none", (t) => {
  t.is(effectiveCap(undefined, 0), NO_CAP);
  t.is(effectiveCap(1, 0), 1);
  t.is(effectiveCap(1, 4), 1, "a request cannot widen the profile's cap");
  t.is(effectiveCap(4, 2), 2, "but can narrow it");
  t.is(effectiveCap(0, 3), 3);
});

test("sort keys order as members see: popular first, newest first, titles without articles or accents", (t) => {
  const key = (
    order: "popularity" | "newest" | "title",
    popularity: number,
    releaseDate: string,
    title: string,
  ) => sortKey(order, { popularity, releaseDate, title });
  t.true(key("popularity", 90.5, "", "") < key("popularity", 90.4, "", ""));
  t.true(key("popularity", 1000, "", "") < key("popularity", 2, "", ""));
  t.true(key("newest", 0, "2024-01-02", "") < key("newest", 0, "2024-01-01", ""));
  t.true(key("newest", 0, "1999-12-31", "") < key("newest", 0, "", ""), "unknown dates last");
  t.is(titleSortKey("The Godfather"), "godfather");
  t.is(titleSortKey("Amélie"), "amelie");
  t.is(titleSortKey("Léon: The Professional"), "leon the professional");
  t.is(foldText("  Zürich "), "zurich");
});

test("trending counts each viewer once, weighted by recency", (t) => {
  const now = new Date("2026-11-23T12:00:00Z");
  const ago = (h: number) => new Date(now.getTime() - h * 3_600_000);
  const ranked = rankTrending(
    [
      { contentId: "a", lastSeen: ago(0) },
      { contentId: "a", lastSeen: ago(0) },
      { contentId: "b", lastSeen: ago(6) },
      { contentId: "b", lastSeen: ago(6) },
      { contentId: "b", lastSeen: ago(6) },
      { contentId: "c", lastSeen: ago(25) },
    ],
    now,
    6 * 3_600_000,
  );
  t.deepEqual(
    ranked.map((r) => r.contentId),
    ["a", "b"],
    "views older than 24 h do not count",
  );
  t.is(ranked[0]?.score, 2);
  t.is(ranked[1]?.score, 1.5);
  t.deepEqual(scopesOf("FR"), ["world", "FR"]);
  t.deepEqual(scopesOf(""), ["world"]);
});

test("catalog ids are deterministic version-5 UUIDs", (t) => {
  const id = uuidV5("The Godfather|1972");
  t.is(id, uuidV5("The Godfather|1972"));
  t.not(id, uuidV5("The Godfather|1974"));
  t.regex(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test("the generated catalog is the same every time: 2,400 unique titles over 24 genres", (t) => {
  const a = generateCatalog();
  const b = generateCatalog();
  t.is(a.length, 2_400);
  t.deepEqual(
    a.map((c) => c.contentId),
    b.map((c) => c.contentId),
  );
  t.is(new Set(a.map((c) => c.contentId)).size, a.length);
  t.is(new Set(a.map((c) => c.title.toLowerCase())).size, a.length);
  t.is(new Set(a.flatMap((c) => c.genreIds)).size, 24);
  const series = a.filter((c) => c.seasons.length > 0);
  t.true(series.length > 300 && series.every((s) => s.seasons.every((x) => x.episodes.length >= 6)));
  const hits = a.filter((c) => c.popularity > 30).length;
  t.true(hits < a.length / 4, "popularity is long-tailed");
});

test("generated ratings follow genres: nothing dark is rated for children, children's genres always are", (t) => {
  const catalog = generateCatalog();
  const has = (genre: string) => catalog.filter((c) => c.genreIds.includes(genre));
  for (const dark of ["horror", "war", "crime", "thriller"]) {
    t.true(has(dark).length > 20, `${dark} titles exist`);
    t.deepEqual(
      has(dark)
        .filter((c) => c.maturityRating <= MaturityRating.KIDS)
        .map((c) => c.title),
      [],
      `no ${dark} title rated for children`,
    );
  }
  for (const young of ["kids", "family"]) {
    const titles = has(young);
    t.true(titles.length > 100 && titles.every((c) => c.maturityRating <= MaturityRating.KIDS), young);
  }
  const animation = has("animation");
  const forChildren = animation.filter((c) => c.maturityRating <= MaturityRating.KIDS).length;
  t.true(
    forChildren > animation.length * 0.6,
    `animation is mostly for children (${forChildren}/${animation.length})`,
  );
  t.true(
    has("drama").some((c) => c.maturityRating <= MaturityRating.KIDS),
    "a kids profile still has dramas to watch",
  );
});
