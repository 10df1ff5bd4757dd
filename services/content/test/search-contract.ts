import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { TestFn } from "ava";
import type { SearchIndex } from "../src/search.js";
import { movie, query } from "./helpers.js";

export type SearchFactory = () => Promise<{ index: SearchIndex; cleanup: () => Promise<void> }>;

/** What every SearchIndex adapter does, beyond relevance. */
export function searchIndexContract(test: TestFn, open: SearchFactory): void {
  const titles = async (index: SearchIndex, text: string) =>
    (await index.search(query(text))).hits.map((h) => h.content.title);

  test("search contract: an upserted title is found, a removed one is not", async (t) => {
    const { index, cleanup } = await open();
    t.teardown(cleanup);
    const m = movie({ title: "Quorvath Rising", synopsis: "a lighthouse keeper" });
    await index.upsert(m);
    await index.refresh();
    t.deepEqual(await titles(index, "quorvath"), ["Quorvath Rising"]);
    t.is(await index.count(), 1);
    await index.remove(m.contentId);
    await index.remove(m.contentId); // removing twice is harmless
    await index.refresh();
    t.deepEqual(await titles(index, "quorvath"), []);
  });

  test("search contract: upserting again replaces the entry", async (t) => {
    const { index, cleanup } = await open();
    t.teardown(cleanup);
    const m = movie({ title: "Brellwick", updateTime: timestampFromMs(1_000) });
    await index.upsert(m);
    await index.upsert(movie({ ...m, title: "Zandomere", updateTime: timestampFromMs(2_000) }));
    await index.upsert(movie({ ...m, title: "Stalewick", updateTime: timestampFromMs(1_500) }));
    await index.refresh();
    t.deepEqual(await titles(index, "zandomere"), ["Zandomere"]);
    t.deepEqual(await titles(index, "brellwick"), []);
    t.deepEqual(await titles(index, "stalewick"), [], "an older version arriving late is ignored");
    t.is(await index.count(), 1);
  });

  test("search contract: a versioned removal wins over an older upsert that arrives after it", async (t) => {
    const { index, cleanup } = await open();
    t.teardown(cleanup);
    const m = movie({ title: "Tarrowmere", updateTime: timestampFromMs(1_000) });
    await index.upsert(m);
    await index.remove(m.contentId, 3_000);
    await index.upsert(movie({ ...m, updateTime: timestampFromMs(2_000) }));
    await index.refresh();
    t.deepEqual(await titles(index, "tarrowmere"), []);
    await index.upsert(movie({ ...m, updateTime: timestampFromMs(4_000) }));
    await index.refresh();
    t.deepEqual(await titles(index, "tarrowmere"), ["Tarrowmere"], "a newer publish comes back");
  });

  test("search contract: a rebuild replaces the whole index", async (t) => {
    const { index, cleanup } = await open();
    t.teardown(cleanup);
    await index.upsert(movie({ title: "Oldtitle Varnum" }));
    async function* fresh() {
      yield movie({ title: "Newtitle Varnum" });
      yield movie({ title: "Othertitle Varnum" });
    }
    t.is(await index.rebuild(fresh()), 2);
    await index.refresh();
    t.deepEqual((await titles(index, "varnum")).sort(), ["Newtitle Varnum", "Othertitle Varnum"]);
    t.is(await index.count(), 2);
  });

  test("search contract: results carry the whole title and honour every filter", async (t) => {
    const { index, cleanup } = await open();
    t.teardown(cleanup);
    const a = movie({
      title: "Pelloran One",
      genreIds: ["horror"],
      releaseDate: "1990-05-01",
      maturityRating: 4,
    });
    const b = movie({
      title: "Pelloran Two",
      genreIds: ["kids"],
      releaseDate: "2010-05-01",
      maturityRating: 1,
    });
    await index.upsert(a);
    await index.upsert(b);
    await index.refresh();
    const hit = (await index.search(query("pelloran one"))).hits[0];
    t.is(hit?.content.contentId, a.contentId);
    t.is(hit?.content.releaseDate, "1990-05-01");
    const only = async (q: Parameters<typeof query>[1]) =>
      (await index.search(query("pelloran", q))).hits.map((h) => h.content.title);
    t.deepEqual(await only({ genreIds: ["kids"] }), ["Pelloran Two"]);
    t.deepEqual(await only({ yearTo: 2000 }), ["Pelloran One"]);
    t.deepEqual(await only({ yearFrom: 2000 }), ["Pelloran Two"]);
    t.deepEqual(await only({ maxMaturity: 2 }), ["Pelloran Two"]);
    t.is((await index.search(query("pelloran", { limit: 1 }))).total, 2);
  });

  test("search contract: between equally relevant titles the more popular ranks first", async (t) => {
    const { index, cleanup } = await open();
    t.teardown(cleanup);
    const niche = movie({ title: "Halvorsen Bay", popularity: 1 });
    const hit = movie({ title: "Halvorsen Bay", popularity: 60 });
    await index.upsert(niche);
    await index.upsert(hit);
    await index.refresh();
    const { hits } = await index.search(query("halvorsen"));
    t.deepEqual(
      hits.map((h) => h.content.contentId),
      [hit.contentId, niche.contentId],
    );
    t.true((hits[0]?.score ?? 0) > (hits[1]?.score ?? 0));
  });
}
