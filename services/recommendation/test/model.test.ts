import test from "ava";
import { kthLargest } from "../src/model/item-weights.js";
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

test("incremental updates, once trained, give exactly the model a rebuild from the final state gives", async (t) => {
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const items = Array.from({ length: 30 }, (_, i) => `c${i}`);
  const profiles = Array.from({ length: 40 }, (_, i) => `p${i}`);
  const live = new TasteModel({ rankingTtlMs: 0 });
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
  const rebuilt = new TasteModel({ rankingTtlMs: 0 });
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
  await live.train();
  await rebuilt.train();
  t.is(live.profileCount, rebuilt.profileCount);
  const ids = (m: TasteModel, list: { item: number }[]) => list.map((n) => m.contentIdOf(n.item));
  for (const a of items) {
    const [la, ra] = [live.indexOf(a) as number, rebuilt.indexOf(a) as number];
    t.is(live.positives(la), rebuilt.positives(ra));
    t.true(Math.abs(live.trend(la) - rebuilt.trend(ra)) < 1e-9);
    for (const b of items) {
      const [lb, rb] = [live.indexOf(b) as number, rebuilt.indexOf(b) as number];
      t.true(Math.abs(live.collaborativeWeight(la, lb) - rebuilt.collaborativeWeight(ra, rb)) < 1e-6);
    }
    t.deepEqual(ids(live, live.neighbours(la)), ids(rebuilt, rebuilt.neighbours(ra)));
  }
  for (const p of profiles) {
    t.deepEqual(ids(live, [...live.scoreForProfile(p)]), ids(rebuilt, [...rebuilt.scoreForProfile(p)]), p);
  }
});

test("with every title a neighbour, the learned weights are EASE^R's closed form (3×3 by hand)", async (t) => {
  // Liked titles per profile: {a,b} twice, {a,c}, {b,c}, {a,b,c}, {a}. G = XᵀX has diagonal 5, 4, 3
  // (mean 4) and G_ab = 3, G_ac = 2, G_bc = 2. With l2 = 0.25, λ = 1: P = (G + I)⁻¹ =
  // (1/64)·[[16,-8,-4],[-8,20,-6],[-4,-6,21]] and B_ij = -P_ij / P_jj.
  const model = new TasteModel({ l2: 0.25 });
  for (const id of ["a", "b", "c"]) model.setTitle(title(id, []));
  const liked = [["a", "b"], ["a", "b"], ["a", "c"], ["b", "c"], ["a", "b", "c"], ["a"]];
  liked.forEach((titles, n) => {
    for (const c of titles) model.setInteraction(`p${n}`, c, 1, true, n);
  });
  // Thumbs down and half-watched titles do not enter the learned weights.
  model.setInteraction("p0", "c", -1.5, false, 9);
  model.setInteraction("p5", "b", 0.5, false, 9);
  const weights = await model.train();
  t.true(Math.abs(weights.lambda - 1) < 1e-12);
  const [a, b, c] = ["a", "b", "c"].map((id) => model.indexOf(id) as number) as [number, number, number];
  const expected: [number, number, number][] = [
    [a, b, 8 / 20],
    [a, c, 4 / 21],
    [b, a, 8 / 16],
    [b, c, 6 / 21],
    [c, a, 4 / 16],
    [c, b, 6 / 20],
  ];
  for (const [from, to, w] of expected) {
    const got = model.collaborativeWeight(from, to);
    t.true(Math.abs(got - w) < 1e-6, `B[${from}][${to}] = ${got}, not ${w}`);
  }
  t.is(model.collaborativeWeight(a, a), 0, "the diagonal is zero");
});

test("learned weights change when trained; a profile's own changes count at once; an erased profile leaves them at the next training", async (t) => {
  const model = new TasteModel({ rankingTtlMs: 0 });
  for (const id of ["a", "b", "c", "d"]) model.setTitle(title(id, [`g-${id}`]));
  for (let n = 0; n < 4; n++) {
    model.setInteraction(`o${n}`, "a", 1, true, 1);
    model.setInteraction(`o${n}`, "b", 1, true, 1);
  }
  await model.train();
  const [a, b, c] = ["a", "b", "c"].map((id) => model.indexOf(id) as number) as [number, number, number];
  t.true(model.collaborativeWeight(a, b) > 0);
  model.setInteraction("me", "a", 2, false, 5);
  t.deepEqual(
    [...model.scoreForProfile("me")].map((s) => model.contentIdOf(s.item)),
    ["b"],
    "a new like is scored at once",
  );
  model.setInteraction("loner", "a", 1, true, 6);
  model.setInteraction("loner", "c", 1, true, 6);
  t.is(model.collaborativeWeight(a, c), 0, "not learned before training");
  await model.train();
  t.true(model.collaborativeWeight(a, c) > 0);
  model.removeProfile("loner");
  t.is(model.profile("loner"), undefined);
  t.true(model.collaborativeWeight(a, c) > 0, "still in the weights until the next training");
  await model.train();
  t.is(model.collaborativeWeight(a, c), 0);
});

test("a title nobody watched yet gets neighbours from its genres and cast (cold start)", (t) => {
  const model = new TasteModel();
  model.setTitle(title("old", ["western"], ["Clint Eastwood"]));
  model.setTitle(title("other", ["romance"], ["Someone Else"]));
  model.setTitle(title("new", ["western"], ["Clint Eastwood"]));
  const near = model.neighbours(model.indexOf("new") as number).map((n) => model.contentIdOf(n.item));
  t.deepEqual(near, ["old"]);
});

test("rows: liked titles lead to what their audience liked; disliked and over-the-cap titles stay out", async (t) => {
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
  await model.train();
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

test("a newcomer's picks follow the content of its one like before the audience's favourites", async (t) => {
  const model = new TasteModel({ rankingTtlMs: 0 });
  model.setTitle(title("western-1", ["western"], ["Clint Eastwood"]));
  model.setTitle(title("western-2", ["western"], ["Clint Eastwood"]));
  model.setTitle(title("hit", ["comedy"], ["Jim Carrey"]));
  for (let n = 0; n < 20; n++) model.setInteraction(`fan${n}`, "hit", 1, true, 1);
  await model.train();
  model.setInteraction("new", "western-1", 1, true, 2);
  t.deepEqual(
    [...model.scoreForProfile("new")].map((s) => model.contentIdOf(s.item)),
    ["western-2"],
  );
});

test("kthLargest finds the k-th largest value", (t) => {
  const values = [5, 1, 9, 3, 9, 7, 2];
  for (let k = 1; k <= values.length; k++) {
    const a = Float64Array.from(values);
    t.is(kthLargest(a, a.length, k), [...values].sort((x, y) => y - x)[k - 1] as number);
  }
});

test("long rankings come best first in the same order as a full sort", async (t) => {
  const model = new TasteModel({ rankingTtlMs: 0 });
  const ids = Array.from({ length: 900 }, (_, n) => `t${String(n).padStart(4, "0")}`);
  for (const id of ids) model.setTitle(title(id, ["drama"]));
  // One profile likes t0000; everyone else likes t0000 and a few others, with many equal counts.
  for (let n = 0; n < 600; n++) {
    model.setInteraction(`o${n}`, "t0000", 1, true, 1);
    for (let m = 1; m <= 3; m++)
      model.setInteraction(`o${n}`, ids[1 + ((n * m) % 899)] as string, 1, true, 1);
  }
  model.setInteraction("me", "t0000", 1, true, 2);
  await model.train();
  const ranked = [...model.scoreForProfile("me")];
  t.true(ranked.length > 600);
  t.deepEqual(ranked, [...ranked].sort(model.byScore));
});
