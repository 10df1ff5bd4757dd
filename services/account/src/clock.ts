/** Where the service reads the time, so tests can move past period ends without sleeping. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to (tests, benchmarks). */
export class ManualClock implements Clock {
  #now: number;
  constructor(start: number | Date) {
    this.#now = typeof start === "number" ? start : start.getTime();
  }
  now(): number {
    return this.#now;
  }
  set(to: number | Date): void {
    this.#now = typeof to === "number" ? to : to.getTime();
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}
