export interface Scored {
  item: number;
  score: number;
}

/** Scores compare at nine decimals: sums taken in another order (after a rebuild) agree to that. */
const PRECISION = 1e9;
/** Ranked in two steps, so a reader that stops early (a row of 20) sorts only the head. */
const HEAD = 256;

/** A ranking's working copy of a score row: its positive entries, compacted, and the best of them. */
interface Entries {
  items: Int32Array;
  /** Score × PRECISION, rounded: what comparisons use. */
  keys: Float64Array;
  /** Content id order of each entry's title: the tie-break. */
  places: Int32Array;
  /** Positions (in the arrays above) of the HEAD best entries so far, a heap with the worst of them on top. */
  head: Int32Array;
}

function entries(capacity: number): Entries {
  return {
    items: new Int32Array(capacity),
    keys: new Float64Array(capacity),
    places: new Int32Array(capacity),
    head: new Int32Array(HEAD),
  };
}

/** Whether entry a ranks before entry b: higher key, then earlier content id. */
function before(keys: Float64Array, places: Int32Array, a: number, b: number): boolean {
  const ka = keys[a] as number;
  const kb = keys[b] as number;
  return ka > kb || (ka === kb && (places[a] as number) < (places[b] as number));
}

/** Restores the heap (worst on top) below slot `at` after its entry got better. */
function siftDown(e: Entries, size: number, at: number): void {
  const { head, keys, places } = e;
  const moving = head[at] as number;
  for (;;) {
    let child = 2 * at + 1;
    if (child >= size) break;
    if (child + 1 < size && before(keys, places, head[child] as number, head[child + 1] as number)) child++;
    if (!before(keys, places, moving, head[child] as number)) break;
    head[at] = head[child] as number;
    at = child;
  }
  head[at] = moving;
}

/** Adds entry `position` to a heap of `size` entries (which has room). */
function siftUp(e: Entries, size: number, position: number): void {
  const { head, keys, places } = e;
  let at = size;
  while (at > 0) {
    const parent = (at - 1) >> 1;
    if (!before(keys, places, head[parent] as number, position)) break;
    head[at] = head[parent] as number;
    at = parent;
  }
  head[at] = position;
}

/**
 * Turns a dense row of scores (one per title) into titles best first,
 * lazily, without an object per title: a request ranks the whole catalog
 * several times and reads only a few dozen titles of each ranking. One pass
 * over the row copies its positive entries out (the row is scratch space its
 * owner reuses) and keeps the HEAD best in a heap; the head is sorted when
 * read, the rest only if the reader goes past it. The copies live in buffers
 * lent to the ranking until its reader is done (a ranking abandoned unread
 * keeps its buffers; the next one gets new ones).
 */
export class Ranker {
  readonly #compareIds: (a: number, b: number) => number;
  readonly #idOrder: () => Int32Array;
  #spare: Entries | undefined;

  /** `idOrder` gives each title's place in `compareIds` order. */
  constructor(compareIds: (a: number, b: number) => number, idOrder: () => Int32Array) {
    this.#compareIds = compareIds;
    this.#idOrder = idOrder;
  }

  /**
   * Best first by score rounded to nine decimals, then by content id; each
   * score is rounded so, so the order never contradicts `compare`.
   */
  readonly compare = (a: Scored, b: Scored): number =>
    Math.round(b.score * PRECISION) - Math.round(a.score * PRECISION) || this.#compareIds(a.item, b.item);

  /** Titles j < size with row[j] positive at nine decimals, best first (in `compare` order). */
  rank(row: Float64Array, size: number): Iterable<Scored> {
    const order = this.#idOrder();
    const lent = this.#borrow(size);
    const { items, keys, places, head } = lent;
    let count = 0;
    let heaped = 0;
    for (let j = 0; j < size; j++) {
      const x = row[j] as number;
      if (!(x > 0)) continue;
      const key = Math.round(x * PRECISION);
      if (key <= 0) continue;
      items[count] = j;
      keys[count] = key;
      places[count] = order[j] as number;
      if (heaped < HEAD) siftUp(lent, heaped++, count);
      else if (before(keys, places, count, head[0] as number)) {
        head[0] = count;
        siftDown(lent, HEAD, 0);
      }
      count++;
    }
    return this.#bestFirst(lent, count, heaped);
  }

  #borrow(size: number): Entries {
    const spare = this.#spare;
    this.#spare = undefined;
    return spare !== undefined && spare.items.length >= size ? spare : entries(size);
  }

  *#bestFirst(lent: Entries, count: number, heaped: number): Generator<Scored> {
    try {
      const { items, keys, places, head } = lent;
      const byRank = (a: number, b: number) => (a === b ? 0 : before(keys, places, a, b) ? -1 : 1);
      const scored = (at: number): Scored => ({
        item: items[at] as number,
        score: (keys[at] as number) / PRECISION,
      });
      for (const at of Array.from(head.subarray(0, heaped)).sort(byRank)) yield scored(at);
      if (count === heaped) return;
      // Everything the head's worst entry ranks before.
      const worst = head[0] as number;
      const tail: number[] = [];
      for (let at = 0; at < count; at++) if (before(keys, places, worst, at)) tail.push(at);
      for (const at of tail.sort(byRank)) yield scored(at);
    } finally {
      this.#spare = lent;
    }
  }
}
