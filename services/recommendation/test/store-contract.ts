import { randomUUID } from "node:crypto";
import type { TestFn } from "ava";
import type { TasteStore, TitleFacts } from "../src/store.js";

export type StoreFactory = () => Promise<TasteStore>;

const T0 = Date.UTC(2026, 5, 1);

function facts(contentId: string, over: Partial<TitleFacts> = {}): TitleFacts {
  return {
    contentId,
    title: "Arrival",
    genreIds: ["science-fiction", "drama"],
    cast: ["Amy Adams", "Jeremy Renner"],
    synopsis: "A linguist meets visitors.",
    maturity: 3,
    availableFrom: T0,
    availableUntil: 0,
    popularity: 12.5,
    ...over,
  };
}

/** The behaviour every TasteStore adapter must have; each adapter's test file calls this. */
export function tasteStoreContract(test: TestFn, open: StoreFactory): void {
  const withStore = async (t: { teardown(fn: () => Promise<void>): void }) => {
    const store = await open();
    t.teardown(() => store.close());
    return store;
  };

  test("a rating is stored, changed and removed; an older event never overwrites a newer one", async (t) => {
    const store = await withStore(t);
    const [p, c] = [randomUUID(), randomUUID()];
    t.is(await store.getInteraction(p, c), undefined);
    await store.recordRating({ profileId: p, contentId: c, value: 2, time: T0 });
    t.like(await store.getInteraction(p, c), { profileId: p, contentId: c, rating: 2, ratingTime: T0 });
    await store.recordRating({ profileId: p, contentId: c, value: 3, time: T0 + 2000 });
    await store.recordRating({ profileId: p, contentId: c, value: 1, time: T0 + 1000 });
    t.like(await store.getInteraction(p, c), { rating: 3, ratingTime: T0 + 2000 });
    await store.recordRating({ profileId: p, contentId: c, value: 0, time: T0 + 3000 });
    t.like(await store.getInteraction(p, c), { rating: 0 });
  });

  test("viewing keeps the latest position by event time, and completion is never taken back", async (t) => {
    const store = await withStore(t);
    const [p, c] = [randomUUID(), randomUUID()];
    const view = (fraction: number, time: number, completed = false, abandoned = false) =>
      store.recordViewing({ profileId: p, contentId: c, fraction, completed, abandoned, time });
    await view(0.3, T0 + 1000);
    await view(0.1, T0 + 500);
    t.like(await store.getInteraction(p, c), { viewFraction: 0.3, viewTime: T0 + 1000, completed: false });
    await view(0.95, T0 + 2000, true);
    await view(0.05, T0 + 3000, false, true);
    t.like(await store.getInteraction(p, c), {
      viewFraction: 0.05,
      completed: true,
      abandoned: true,
      rating: 0,
    });
    await store.recordRating({ profileId: p, contentId: c, value: 2, time: T0 + 100 });
    t.like(await store.getInteraction(p, c), { viewFraction: 0.05, completed: true, rating: 2 });
  });

  test("lists a profile's interactions and every interaction", async (t) => {
    const store = await withStore(t);
    const [p1, p2] = [randomUUID(), randomUUID()];
    const titles = [randomUUID(), randomUUID(), randomUUID()];
    for (const c of titles) await store.recordRating({ profileId: p1, contentId: c, value: 2, time: T0 });
    await store.recordViewing({
      profileId: p2,
      contentId: titles[0] as string,
      fraction: 0.5,
      completed: false,
      abandoned: false,
      time: T0,
    });
    const mine = await store.profileInteractions(p1);
    t.deepEqual(mine.map((i) => i.contentId).sort(), [...titles].sort());
    const all: string[] = [];
    for await (const i of store.allInteractions()) {
      if (i.profileId === p1 || i.profileId === p2) all.push(`${i.profileId}/${i.contentId}`);
    }
    t.is(all.length, 4);
    t.true(all.includes(`${p2}/${titles[0]}`));
  });

  test("a bulk import stores merged interactions, and later events merge with them", async (t) => {
    const store = await withStore(t);
    const [p, c1, c2] = [randomUUID(), randomUUID(), randomUUID()];
    const base = {
      profileId: p,
      rating: 0,
      ratingTime: 0,
      viewFraction: 0,
      viewTime: 0,
      completed: false,
      abandoned: false,
    };
    await store.importInteractions([
      { ...base, contentId: c1, rating: 3, ratingTime: T0 },
      { ...base, contentId: c2, viewFraction: 1, viewTime: T0, completed: true },
    ]);
    t.deepEqual(await store.getInteraction(p, c1), { ...base, contentId: c1, rating: 3, ratingTime: T0 });
    t.deepEqual(await store.getInteraction(p, c2), {
      ...base,
      contentId: c2,
      viewFraction: 1,
      viewTime: T0,
      completed: true,
    });
    await store.recordRating({ profileId: p, contentId: c2, value: 1, time: T0 + 1 });
    t.like(await store.getInteraction(p, c2), { rating: 1, completed: true });
  });

  test("concurrent events on many titles all land", async (t) => {
    const store = await withStore(t);
    const p = randomUUID();
    const titles: string[] = Array.from({ length: 50 }, () => randomUUID());
    await Promise.all(
      titles.flatMap((c, n) => [
        store.recordRating({ profileId: p, contentId: c, value: 1 + (n % 3), time: T0 + n }),
        store.recordViewing({
          profileId: p,
          contentId: c,
          fraction: 0.5,
          completed: false,
          abandoned: false,
          time: T0,
        }),
      ]),
    );
    const stored = await store.profileInteractions(p);
    t.is(stored.length, 50);
    t.true(stored.every((i) => i.viewFraction === 0.5 && i.rating === 1 + (titles.indexOf(i.contentId) % 3)));
  });

  test("erasing a profile removes its interactions only, and older events replayed later stay erased", async (t) => {
    const store = await withStore(t);
    const [gone, kept, c] = [randomUUID(), randomUUID(), randomUUID()];
    await store.recordRating({ profileId: gone, contentId: c, value: 3, time: T0 });
    await store.recordViewing({
      profileId: gone,
      contentId: c,
      fraction: 1,
      completed: true,
      abandoned: false,
      time: T0,
    });
    await store.recordRating({ profileId: kept, contentId: c, value: 2, time: T0 });
    await store.eraseProfile(gone);
    t.deepEqual(await store.profileInteractions(gone), []);
    t.is(await store.getInteraction(gone, c), undefined);
    t.like(await store.getInteraction(kept, c), { rating: 2 });
    // A redelivered event from before the erasure must not bring the data back.
    await store.recordRating({ profileId: gone, contentId: c, value: 3, time: T0 + 1 });
    t.deepEqual(await store.profileInteractions(gone), []);
    for await (const i of store.allInteractions()) t.not(i.profileId, gone);
  });

  test("titles keep their facts, and visibility follows the latest change by time", async (t) => {
    const store = await withStore(t);
    const c = randomUUID();
    t.is(await store.getTitle(c), undefined);
    await store.setVisibility(c, true, T0 + 1000);
    t.like(await store.getTitle(c), { contentId: c, published: true, visibilityTime: T0 + 1000, title: "" });
    await store.putTitle(facts(c));
    const stored = await store.getTitle(c);
    t.deepEqual(stored, { ...facts(c), published: true, visibilityTime: T0 + 1000 });
    await store.setVisibility(c, false, T0 + 500);
    t.like(await store.getTitle(c), { published: true });
    await store.setVisibility(c, false, T0 + 2000);
    await store.putTitle(facts(c, { title: "Arrival (2016)", cast: [] }));
    t.like(await store.getTitle(c), { published: false, title: "Arrival (2016)", cast: [] });
    t.true((await store.listTitles()).some((x) => x.contentId === c && x.title === "Arrival (2016)"));
  });

  test("genre names are stored and replaced", async (t) => {
    const store = await withStore(t);
    await store.putGenreNames(
      new Map([
        ["science-fiction", "Sci-Fi"],
        ["drama", "Drama"],
      ]),
    );
    await store.putGenreNames(new Map([["science-fiction", "Science Fiction"]]));
    const names = await store.genreNames();
    t.is(names.get("science-fiction"), "Science Fiction");
    t.is(names.get("drama"), "Drama");
  });
}
