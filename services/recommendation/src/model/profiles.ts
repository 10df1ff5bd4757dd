/** A profile's side of the model: the titles it interacted with and how much it liked each. */
export interface ProfileVector {
  readonly items: Int32Array;
  readonly weights: Float64Array;
  /** 1 when the profile watched the title to the end. */
  readonly completed: Uint8Array;
  readonly times: Float64Array;
}

/** One interaction as the model takes it. */
export interface Entry {
  item: number;
  /** Preference (see signals.ts); 0 with completed false means "no interaction". */
  weight: number;
  completed: boolean;
  time: number;
}

/** What a change replaced, so aggregates can take it back out. */
export interface Replaced {
  weight: number;
  time: number;
}

const NOTHING: Replaced = { weight: 0, time: 0 };

function vector(n: number): ProfileVector {
  return {
    items: new Int32Array(n),
    weights: new Float64Array(n),
    completed: new Uint8Array(n),
    times: new Float64Array(n),
  };
}

function copy(from: ProfileVector, fromAt: number, to: ProfileVector, toAt: number, count: number): void {
  to.items.set(from.items.subarray(fromAt, fromAt + count), toAt);
  to.weights.set(from.weights.subarray(fromAt, fromAt + count), toAt);
  to.completed.set(from.completed.subarray(fromAt, fromAt + count), toAt);
  to.times.set(from.times.subarray(fromAt, fromAt + count), toAt);
}

/**
 * Every profile's interactions, in compact typed arrays (about 21 bytes an
 * interaction). A whole profile loads in one step; a single change copies
 * only that profile's arrays, so a vector handed out is never resized under
 * its reader.
 */
export class Profiles {
  readonly #byId = new Map<string, ProfileVector>();
  #interactions = 0;

  get size(): number {
    return this.#byId.size;
  }

  /** Interactions held across all profiles. */
  get interactions(): number {
    return this.#interactions;
  }

  get(profileId: string): ProfileVector | undefined {
    return this.#byId.get(profileId);
  }

  values(): IterableIterator<ProfileVector> {
    return this.#byId.values();
  }

  /** Sets one interaction (weight 0 and not completed removes it); returns what it replaced. */
  set(profileId: string, e: Entry): Replaced {
    const p = this.#byId.get(profileId);
    const keep = e.weight !== 0 || e.completed;
    const at = p === undefined ? -1 : p.items.indexOf(e.item);
    if (p === undefined || at < 0) {
      if (!keep) return NOTHING;
      const n = p?.items.length ?? 0;
      const next = vector(n + 1);
      if (p !== undefined) copy(p, 0, next, 0, n);
      write(next, n, e);
      this.#byId.set(profileId, next);
      this.#interactions++;
      return NOTHING;
    }
    const replaced = { weight: p.weights[at] as number, time: p.times[at] as number };
    if (keep) {
      write(p, at, e);
      return replaced;
    }
    const n = p.items.length;
    this.#interactions--;
    if (n === 1) {
      this.#byId.delete(profileId);
      return replaced;
    }
    const next = vector(n - 1);
    copy(p, 0, next, 0, at);
    copy(p, at + 1, next, at, n - at - 1);
    this.#byId.set(profileId, next);
    return replaced;
  }

  /** Replaces a whole profile at once (the last entry for a title wins); returns the vector it replaced. */
  load(profileId: string, entries: readonly Entry[]): ProfileVector | undefined {
    const last = new Map<number, Entry>();
    for (const e of entries) {
      if (e.weight !== 0 || e.completed) last.set(e.item, e);
      else last.delete(e.item);
    }
    const before = this.remove(profileId);
    if (last.size === 0) return before;
    const next = vector(last.size);
    let k = 0;
    for (const e of last.values()) write(next, k++, e);
    this.#byId.set(profileId, next);
    this.#interactions += last.size;
    return before;
  }

  remove(profileId: string): ProfileVector | undefined {
    const p = this.#byId.get(profileId);
    if (p === undefined) return undefined;
    this.#byId.delete(profileId);
    this.#interactions -= p.items.length;
    return p;
  }

  /** Bytes held by the vectors' arrays. */
  get bytes(): number {
    return this.#interactions * 21;
  }
}

function write(p: ProfileVector, at: number, e: Entry): void {
  p.items[at] = e.item;
  p.weights[at] = e.weight;
  p.completed[at] = e.completed ? 1 : 0;
  p.times[at] = e.time;
}
