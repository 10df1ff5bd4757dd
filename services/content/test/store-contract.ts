import { create } from "@bufbuild/protobuf";
import { timestampFromDate, timestampMs } from "@bufbuild/protobuf/wkt";
import { type Content, ContentSchema, PublishState } from "@marquee/sdk/marquee/content/v1/content_pb";
import type { TestFn } from "ava";
import { browsePage } from "../src/browse.js";
import { NO_CAP } from "../src/domain/maturity.js";
import { sortKey } from "../src/domain/sort-keys.js";
import { ALL_GENRES, type ContentStore } from "../src/store.js";
import type { TrendingStore } from "../src/trending-store.js";
import { movie } from "./helpers.js";

export type StoreFactory = () => Promise<ContentStore>;

const ids = (xs: Array<{ id: string }>) => xs.map((x) => x.id);

/** What every ContentStore adapter must do; each adapter's test file calls this. */
export function contentStoreContract(test: TestFn, open: StoreFactory): void {
  test("content store: a title reads back exactly as written; a missing one is undefined", async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    t.true(await store.isEmpty());
    const m = movie({
      title: "Amélie",
      cast: [{ name: "Audrey Tautou", role: "Amélie" }],
      seasons: [],
      artwork: { posterUrl: "/p.jpg" },
    });
    await store.put(m);
    t.deepEqual(await store.get(m.contentId), m);
    t.is(await store.get("00000000-0000-4000-8000-000000000000"), undefined);
    t.false(await store.isEmpty());
    const other = movie({ title: "Other" });
    await store.put(other);
    const many = await store.getMany([m.contentId, other.contentId, "00000000-0000-4000-8000-000000000000"]);
    t.deepEqual([...many.keys()].sort(), [m.contentId, other.contentId].sort());
  });

  test("content store: the browse index lists published titles per genre in each order", async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const a = movie({
      title: "Bravo",
      genreIds: ["drama", "crime"],
      popularity: 10,
      releaseDate: "2001-01-01",
    });
    const b = movie({ title: "The Alpha", genreIds: ["drama"], popularity: 30, releaseDate: "1999-05-05" });
    const c = movie({ title: "Charlie", genreIds: ["crime"], popularity: 20, releaseDate: "2010-02-02" });
    const draft = movie({ title: "Draft", genreIds: ["drama"], publishState: PublishState.DRAFT });
    for (const x of [a, b, c, draft]) await store.put(x);
    const rows = (bucket: string, order: "popularity" | "newest" | "title") =>
      store.browseRows(bucket, order, undefined, 100).then(ids);
    t.deepEqual(await rows(ALL_GENRES, "popularity"), [b.contentId, c.contentId, a.contentId]);
    t.deepEqual(await rows(ALL_GENRES, "newest"), [c.contentId, a.contentId, b.contentId]);
    t.deepEqual(await rows(ALL_GENRES, "title"), [b.contentId, a.contentId, c.contentId], "'The' is ignored");
    t.deepEqual(await rows("drama", "popularity"), [b.contentId, a.contentId]);
    t.deepEqual(await rows("crime", "title"), [a.contentId, c.contentId]);
    const [first] = await store.browseRows("drama", "popularity", undefined, 1);
    t.is(first?.maturity, b.maturityRating);
    const after = await store.browseRows("drama", "popularity", first, 10);
    t.deepEqual(ids(after), [a.contentId], "strictly after the position");
  });

  test("content store: a change moves the title's rows; unpublishing removes them", async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const a = movie({ title: "Delta", genreIds: ["drama"], popularity: 5 });
    const b = movie({ title: "Echo", genreIds: ["drama"], popularity: 10 });
    await store.put(a);
    await store.put(b);
    const moved = create(ContentSchema, { ...a, popularity: 50, genreIds: ["comedy"] });
    await store.put(moved);
    const dramaRows = await store.browseRows("drama", "popularity", undefined, 10);
    t.deepEqual(ids(dramaRows), [b.contentId], "the old genre's row is gone");
    const all = await store.browseRows(ALL_GENRES, "popularity", undefined, 10);
    t.deepEqual(ids(all), [a.contentId, b.contentId], "one row per title, at the new key");
    t.is(all[0]?.key, sortKey("popularity", moved));
    await store.put(create(ContentSchema, { ...b, publishState: PublishState.UNPUBLISHED }));
    t.deepEqual(ids(await store.browseRows(ALL_GENRES, "title", undefined, 10)), [a.contentId]);
    t.is((await store.get(b.contentId))?.publishState, PublishState.UNPUBLISHED, "the title itself stays");
  });

  test("content store: a write that owes an event records it in the same step, until cleared", async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const m = movie({ title: "Owed" });
    const quiet = movie({ title: "Quiet" });
    t.is(await store.put(quiet), undefined);
    const pending = await store.put(m, true);
    t.deepEqual(pending, {
      contentId: m.contentId,
      updateMs: timestampMs(m.updateTime ?? timestampFromDate(new Date())),
    });
    const mine = async () =>
      (await store.pendingAnnouncements()).filter((p) =>
        [m.contentId, quiet.contentId].includes(p.contentId),
      );
    t.deepEqual(await mine(), [pending]);
    await store.clearAnnouncement(pending as NonNullable<typeof pending>);
    t.deepEqual(await mine(), []);
  });

  test("content store: scan yields every title, published or not", async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const written = [movie(), movie({ publishState: PublishState.DRAFT }), movie()];
    for (const m of written) await store.put(m);
    const seen: string[] = [];
    for await (const c of store.scan()) seen.push(c.contentId);
    t.deepEqual(seen.sort(), written.map((m) => m.contentId).sort());
  });

  test("content store: pages never repeat or skip a title while titles are being added", async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const before = Array.from({ length: 120 }, (_, i) =>
      movie({ title: `Title ${i}`, popularity: (i * 37) % 50, genreIds: ["drama"] }),
    );
    await Promise.all(before.map((m) => store.put(m)));
    for (const order of ["popularity", "title", "newest"] as const) {
      let adding = true;
      const added: string[] = [];
      const writer = (async () => {
        for (let i = 0; adding && i < 200; i++) {
          const m = movie({
            title: `New ${order} ${i}`,
            popularity: (i * 13) % 50,
            genreIds: ["drama"],
            releaseDate: `20${String(10 + (i % 15))}-01-01`,
          });
          await store.put(m);
          added.push(m.contentId);
        }
      })();
      const seen: string[] = [];
      let after: { key: string; id: string } | undefined;
      for (let pages = 0; pages < 200; pages++) {
        const page = await browsePage(store, { bucket: "drama", order, after, limit: 7, cap: NO_CAP });
        seen.push(...page.items.map((c) => c.contentId));
        if (page.next === undefined) break;
        after = page.next;
      }
      adding = false;
      await writer;
      t.is(new Set(seen).size, seen.length, `${order}: no title twice`);
      const seenSet = new Set(seen);
      t.true(
        before.every((m) => seenSet.has(m.contentId)),
        `${order}: every title present from the start is listed`,
      );
      const keys = (await store.getMany(seen)).values();
      const byId = new Map([...keys].map((c) => [c.contentId, sortKey(order, c)]));
      const sequence = seen.map((id) => `${byId.get(id)}\u0000${id}`);
      t.deepEqual(sequence, [...sequence].sort(), `${order}: in order`);
      for (const id of added)
        await store.put(
          create(ContentSchema, { ...((await store.get(id)) as Content), publishState: PublishState.DRAFT }),
        );
    }
  });

  test("content store: a page skips titles above the cap and outside their window", async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const kids = movie({ title: "Kids", maturityRating: 1, genreIds: ["family"] });
    const adult = movie({ title: "Adult", maturityRating: 4, genreIds: ["family"] });
    const expired = movie({
      title: "Expired",
      maturityRating: 1,
      genreIds: ["family"],
      availability: { endTime: timestampFromDate(new Date(Date.now() - 60_000)) },
    });
    for (const m of [kids, adult, expired]) await store.put(m);
    const page = await browsePage(store, { bucket: "family", order: "title", limit: 10, cap: 2 });
    t.deepEqual(
      page.items.map((c) => c.title),
      ["Kids"],
    );
    t.is(page.next, undefined);
  });
}

export type TrendingFactory = () => Promise<TrendingStore>;

/** What every TrendingStore adapter must do. */
export function trendingStoreContract(test: TestFn, open: TrendingFactory): void {
  test("trending store: one entry per (title, profile), the latest time wins whatever the order", async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const now = Date.now();
    const at = (minsAgo: number) => new Date(now - minsAgo * 60_000);
    await store.recordView("world", "t1", "p1", at(30));
    await store.recordView("world", "t1", "p1", at(10));
    await store.recordView("world", "t1", "p1", at(20)); // late, older: ignored
    await store.recordView("world", "t1", "p2", at(5));
    await store.recordView("world", "t2", "p1", at(1));
    await store.recordView("FR", "t2", "p3", at(1));
    const views = await store.viewsSince("world", at(24 * 60));
    const summary = views
      .map((v) => `${v.contentId}@${Math.round((now - v.lastSeen.getTime()) / 60_000)}`)
      .sort();
    t.deepEqual(summary, ["t1@10", "t1@5", "t2@1"]);
    const fr = await store.viewsSince("FR", at(24 * 60));
    t.deepEqual(
      fr.map((v) => v.contentId),
      ["t2"],
    );
  });

  test("trending store: views before `since` are left out", async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const now = Date.now();
    await store.recordView("world", "old", "p1", new Date(now - 3 * 3_600_000));
    await store.recordView("world", "new", "p1", new Date(now - 60_000));
    const views = await store.viewsSince("world", new Date(now - 3_600_000));
    t.deepEqual(
      views.map((v) => v.contentId),
      ["new"],
    );
  });
}
