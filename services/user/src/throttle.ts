/**
 * Failed-attempt throttling: after `limit` failures within `windowMs`, a key
 * (an account, a client address, a profile's PIN) is blocked for a lockout
 * that doubles with each further failure, up to `maxLockoutMs`. A success
 * clears the key. Kept in memory per process: a restart forgets counts, and
 * several instances each count their own share (see the README).
 */
export interface ThrottlePolicy {
  limit: number;
  windowMs: number;
  lockoutMs: number;
  maxLockoutMs: number;
}

interface Entry {
  failures: number[];
  blockedUntil: number;
}

export class Throttle {
  readonly #entries = new Map<string, Entry>();
  readonly #policy: ThrottlePolicy;
  readonly #now: () => number;

  constructor(policy: ThrottlePolicy, now: () => number = Date.now) {
    this.#policy = policy;
    this.#now = now;
  }

  /** Milliseconds until the key may try again; 0 when it may try now. */
  retryAfterMs(key: string): number {
    const entry = this.#entries.get(key);
    if (entry === undefined) return 0;
    return Math.max(0, entry.blockedUntil - this.#now());
  }

  /** Records a failure; returns the lockout it caused (0 while under the limit). */
  fail(key: string): number {
    const now = this.#now();
    const entry = this.#entries.get(key) ?? { failures: [], blockedUntil: 0 };
    entry.failures = entry.failures.filter((t) => now - t < this.#policy.windowMs);
    entry.failures.push(now);
    this.#entries.set(key, entry);
    const over = entry.failures.length - this.#policy.limit;
    if (over < 0) return 0;
    const lockout = Math.min(this.#policy.maxLockoutMs, this.#policy.lockoutMs * 2 ** over);
    entry.blockedUntil = now + lockout;
    this.#sweep(now);
    return lockout;
  }

  succeed(key: string): void {
    this.#entries.delete(key);
  }

  /** Forgets keys whose failures all left the window, so memory stays bounded by recent attackers. */
  #sweep(now: number): void {
    if (this.#entries.size < 10_000) return;
    for (const [key, entry] of this.#entries) {
      const last = entry.failures.at(-1) ?? 0;
      if (now - last > this.#policy.windowMs && entry.blockedUntil < now) this.#entries.delete(key);
    }
  }
}
