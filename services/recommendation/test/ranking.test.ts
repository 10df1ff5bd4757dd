import { seededRandom } from "@marquee/kit";
import test from "ava";
import { Ranker, type Scored } from "../src/model/ranking.js";

/** Ids that do not sort like the indices, so the tie-break is visible. */
const ids = (n: number) => Array.from({ length: n }, (_, j) => `id-${(j * 7919) % n}`);
function rankerOver(names: string[]): Ranker {
  const compareIds = (a: number, b: number) =>
    names[a] === names[b] ? 0 : (names[a] as string) < (names[b] as string) ? -1 : 1;
  const order = new Int32Array(names.length);
  [...names.keys()].sort(compareIds).forEach((item, place) => {
    order[item] = place;
  });
  return new Ranker(compareIds, () => order);
}

/** A row with zeros, negatives, sub-precision values and many exact ties. */
function randomRow(random: () => number, n: number): Float64Array {
  const row = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const r = random();
    row[j] =
      r < 0.2
        ? 0
        : r < 0.3
          ? -random()
          : r < 0.35
            ? 1e-11
            : r < 0.6
              ? Math.floor(random() * 8) / 4
              : random();
  }
  return row;
}

/** What a plain full sort of every positive entry gives. */
function fullSort(row: Float64Array, n: number, ranker: Ranker): Scored[] {
  const all: Scored[] = [];
  for (let j = 0; j < n; j++) {
    const score = Math.round((row[j] as number) * 1e9) / 1e9;
    if (score > 0) all.push({ item: j, score });
  }
  return all.sort(ranker.compare);
}

function firstOf(ranking: Iterable<Scored>, k: number): Scored[] {
  const out: Scored[] = [];
  for (const s of ranking) {
    if (out.length === k) break;
    out.push(s);
  }
  return out;
}

test("a ranking, read whole or only its first k, is what a full sort gives (short, long, tied rows)", (t) => {
  const random = seededRandom(7);
  for (const n of [0, 1, 50, 256, 257, 512, 3000, 20_000]) {
    const ranker = rankerOver(ids(n));
    const row = randomRow(random, n);
    const expected = fullSort(row, n, ranker);
    t.deepEqual([...ranker.rank(row, n)], expected, `whole, ${n} titles`);
    for (const k of [1, 20, 256, 257, 600]) {
      t.deepEqual(firstOf(ranker.rank(row, n), k), expected.slice(0, k), `first ${k} of ${n} titles`);
    }
  }
});

test("a ranking keeps its titles when the row it came from is reused, or another ranking runs meanwhile", (t) => {
  const random = seededRandom(11);
  const n = 5000;
  const ranker = rankerOver(ids(n));
  const row = randomRow(random, n);
  const expected = fullSort(row, n, ranker);
  const first = ranker.rank(row, n)[Symbol.iterator]();
  const head = [first.next().value as Scored];
  row.set(randomRow(random, n));
  const other = fullSort(row, n, ranker);
  t.deepEqual(firstOf(ranker.rank(row, n), 300), other.slice(0, 300));
  t.deepEqual([...ranker.rank(row, n)], other);
  for (let s = first.next(); !s.done; s = first.next()) head.push(s.value);
  t.deepEqual(head, expected);
});

test("only titles inside the size asked for are ranked", (t) => {
  const ranker = rankerOver(ids(4));
  t.deepEqual(
    [...ranker.rank(Float64Array.from([0.5, 2, 1, 3]), 3)],
    [
      { item: 1, score: 2 },
      { item: 2, score: 1 },
      { item: 0, score: 0.5 },
    ],
  );
});
