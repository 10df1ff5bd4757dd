/** A value recomputed at most once per `ttlMs` per key; concurrent readers share one computation. */
export class TtlCache<V> {
  readonly #entries = new Map<string, { at: number; value: Promise<V> }>();
  readonly #ttlMs: number;

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  get(key: string, compute: () => Promise<V>): Promise<V> {
    const now = Date.now();
    const entry = this.#entries.get(key);
    if (entry !== undefined && now - entry.at < this.#ttlMs) return entry.value;
    const value = compute();
    this.#entries.set(key, { at: now, value });
    value.catch(() => this.#entries.delete(key));
    return value;
  }
}
