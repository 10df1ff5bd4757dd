import test from "ava";
import { buildRows } from "../src/model/rows.js";
import { preference, viewingFromHeartbeat } from "../src/model/signals.js";
import { TasteModel } from "../src/model/taste-model.js";
import type { CatalogTitle } from "../src/model/types.js";

function title(
  contentId: string,
  genreIds: string[],
  cast: string[] = [],
  over: Partial<CatalogTitle> = {},
): CatalogTitle {
  return {
    contentId,
    title: contentId.toUpperCase(),
    genreIds,
    cast,
    synopsis: "",
    maturity: 1,
    published: true,
    visibilityTime: 1,
    availableFrom: 0,
    availableUntil: 0,
    popularity: 0,
    ...over,
  };
}

const none = { rating: 0, viewFraction: 0, completed: false, abandoned: false };

test("preference: double up > up > completed > half watched > started > nothing > abandoned > thumbs down", (t) => {
  const order = [
    { ...none, rating: 3 },
    { ...none, rating: 2 },
    { ...none, viewFraction: 1, completed: true },
    { ...none, viewFraction: 0.5 },
    { ...none, viewFraction: 0.1 },
    none,
    { ...none, viewFraction: 0.1, abandoned: true },
    { ...none, rating: 1, viewFraction: 1, completed: true },
  ].map(preference);
  t.deepEqual(
    order,
    [...order].sort((a, b) => b - a),
  );
  t.is(new Set(order).size, order.length);
  t.is(preference(none), 0);
});

test("heartbeats: completed from 90%, abandoned when stopped before 25%, nothing without a duration", (t) => {
  t.deepEqual(viewingFromHeartbeat(95, 100, false), { fraction: 0.95, completed: true, abandoned: false });
  t.deepEqual(viewingFromHeartbeat(10, 100, true), { fraction: 0.1, completed: false, abandoned: true });
  t.deepEqual(viewingFromHeartbeat(10, 100, false), { fraction: 0.1, completed: false, abandoned: false });
  t.deepEqual(viewingFromHeartbeat(50, 100, true), { fraction: 0.5, completed: false, abandoned: false });
  t.is(viewingFromHeartbeat(10, 0, true), undefined);
});

test("incremental updates give exactly the model a rebuild from the final state gives", (t) => {
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const items = Array.from({ length: 30 }, (_, i) => `c${i}`);
  const profiles = Array.from({ length: 40 }, (_, i) => `p${i}`);
  const live = new TasteModel();
  for (const id of items) live.setTitle(title(id, [`g${id.length % 3}`]));
  const final = new Map<string, { p: string; c: string; w: number; time: number }>();
  for (let step = 0; step < 3000; step++) {
    const p = profiles[Math.floor(random() * profiles.length)] as string;
    const c = items[Math.floor(random() * items.length)] as string;
    const w = [0, -1.5, 0.5, 1, 2][Math.floor(random() * 5)] as number;
    live.setInteraction(p, c, w, false, step);
    final.set(`${p}/${c}`, { p, c, w, time: step });
    if (step % 500 === 499) {
      const gone = profiles[Math.floor(random() * profiles.length)] as string;
      live.removeProfile(gone);
      for (const k of [...final.keys()]) if (k.startsWith(`${gone}/`)) final.delete(k);
    }
  }
  const rebuilt = new TasteModel();
  for (const id of items) rebuilt.setTitle(title(id, [`g${id.length % 3}`]));
  // Half the profiles loaded in one go (as a rebuild does), the rest one interaction at a time.
  const byProfile = new Map<
    string,
    { contentId: string; weight: number; completed: boolean; time: number }[]
  >();
  for (const { p, c, w, time } of final.values()) {
    (byProfile.get(p) ?? byProfile.set(p, []).get(p))?.push({
      contentId: c,
      weight: w,
      completed: false,
      time,
    });
  }
  for (const [p, entries] of byProfile) {
    if (Number(p.slice(1)) % 2 === 0) rebuilt.loadProfile(p, entries);
    else for (const e of entries) rebuilt.setInteraction(p, e.contentId, e.weight, false, e.time);
  }
  t.is(live.profileCount, rebuilt.profileCount);
  for (const a of items) {
    const [la, ra] = [live.indexOf(a) as number, rebuilt.indexOf(a) as number];
    t.is(live.positives(la), rebuilt.positives(ra));
    for (const b of items) {
      const [lb, rb] = [live.indexOf(b) as number, rebuilt.indexOf(b) as number];
      t.true(Math.abs(live.collaborativeSimilarity(la, lb) - rebuilt.collaborativeSimilarity(ra, rb)) < 1e-9);
    }
    t.deepEqual(
      live.neighbours(la).map((n) => live.contentIdOf(n.item)),
      rebuilt.neighbours(ra).map((n) => rebuilt.contentIdOf(n.item)),
    );
  }
});

test("shrinkage: the same agreement seen in more profiles is trusted more", (t) => {
  const model = new TasteModel({ shrinkage: 10 });
  for (const id of ["a", "b", "c", "d"]) model.setTitle(title(id, [id]));
  model.setInteraction("p0", "a", 1, false, 1);
  model.setInteraction("p0", "b", 1, false, 1);
  for (let n = 0; n < 10; n++) {
    model.setInteraction(`q${n}`, "c", 1, false, 1);
    model.setInteraction(`q${n}`, "d", 1, false, 1);
  }
  const [a, b, c, d] = ["a", "b", "c", "d"].map((id) => model.indexOf(id) as number) as [
    number,
    number,
    number,
    number,
  ];
  // Both pairs have cosine 1; one profile behind a–b, ten behind c–d.
  t.true(Math.abs(model.collaborativeSimilarity(a, b) - 1 / 11) < 1e-12);
  t.true(Math.abs(model.collaborativeSimilarity(c, d) - 10 / 20) < 1e-12);
  t.is(model.collaborativeSimilarity(a, c), 0);
});

test("a title nobody watched yet gets neighbours from its genres and cast (cold start)", (t) => {
  const model = new TasteModel();
  model.setTitle(title("old", ["western"], ["Clint Eastwood"]));
  model.setTitle(title("other", ["romance"], ["Someone Else"]));
  model.setTitle(title("new", ["western"], ["Clint Eastwood"]));
  const near = model.neighbours(model.indexOf("new") as number).map((n) => model.contentIdOf(n.item));
  t.deepEqual(near, ["old"]);
});

test("rows: a disliked title pushes its neighbours down, and the maturity cap holds", (t) => {
  const model = new TasteModel({ rankingTtlMs: 0 });
  model.setTitle(title("liked", ["x"]));
  model.setTitle(title("hated", ["y"]));
  model.setTitle(title("near-liked", ["x"]));
  model.setTitle(title("near-hated", ["y"]));
  model.setTitle(title("adult", ["x"], [], { maturity: 4 }));
  for (let n = 0; n < 5; n++) {
    model.setInteraction(`o${n}`, "liked", 1, false, 1);
    model.setInteraction(`o${n}`, "near-liked", 1, false, 1);
    model.setInteraction(`o${n}`, "adult", 1, false, 1);
    model.setInteraction(`h${n}`, "hated", 1, false, 1);
    model.setInteraction(`h${n}`, "near-hated", 1, false, 1);
  }
  model.setInteraction("me", "liked", 2, false, 2);
  model.setInteraction("me", "hated", -1.5, false, 3);
  const rows = buildRows(model, { profileId: "me", maturityCap: 3, maxRows: 10, itemsPerRow: 10, now: 10 });
  const top = rows.find((r) => r.kind === "top-picks")?.items.map((i) => i.contentId);
  t.deepEqual(top, ["near-liked"]);
  const everything = rows.flatMap((r) => r.items.map((i) => i.contentId));
  t.false(everything.includes("adult"));
  t.false(everything.includes("hated"));
  t.deepEqual(
    rows.map((r) => r.kind),
    ["top-picks", "because-you-watched", "trending-in-genre", "popular"],
  );
});

test("stale neighbour lists are served within their allowance and refreshed in the background", (t) => {
  const model = new TasteModel({ neighbourTtlMs: 60_000 });
  for (const id of ["a", "b", "c"]) model.setTitle(title(id, [id]));
  model.setInteraction("p", "a", 1, false, 1);
  model.setInteraction("p", "b", 1, false, 1);
  const a = model.indexOf("a") as number;
  t.deepEqual(
    model.neighbours(a).map((n) => model.contentIdOf(n.item)),
    ["b"],
  );
  model.setInteraction("q", "a", 1, false, 2);
  model.setInteraction("q", "c", 2, false, 2);
  t.deepEqual(
    model.neighbours(a).map((n) => model.contentIdOf(n.item)),
    ["b"],
    "within the allowance the cached list is served",
  );
  t.is(model.refreshStale(100), 1, "only lists in use are refreshed");
  t.deepEqual(
    model
      .neighbours(a)
      .map((n) => model.contentIdOf(n.item))
      .sort(),
    ["b", "c"],
  );
  t.is(model.refreshStale(100), 0);
});
