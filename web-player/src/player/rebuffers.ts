/**
 * Rebuffers of one playback after its first frame: stalls the media element
 * announces (`waiting`) and video freezes it does not (freeze.ts), sampled
 * every SAMPLE_MS. Both count; one that overlaps another counts once.
 */
import { type FrameSample, FreezeDetector, type Interval, mergeIntervals } from "./freeze.js";

export const SAMPLE_MS = 250;

export interface Rebuffer extends Interval {
  kind: "stall" | "freeze";
}

export class RebufferLog {
  /** Every stall and freeze, in the order they started (the probe shows this array). */
  readonly events: Rebuffer[] = [];
  readonly #freezes = new FreezeDetector();
  #openFreeze: Rebuffer | undefined;
  readonly #onStart: (r: Rebuffer) => void;

  constructor(onStart: (r: Rebuffer) => void) {
    this.#onStart = onStart;
  }

  stallStarted(t: number): void {
    if (this.#openStall()) return;
    this.#add({ kind: "stall", start: t, end: undefined });
  }

  stallEnded(t: number): void {
    const open = this.#openStall();
    if (open) open.end = t;
  }

  /** Feeds the freeze detector; a freeze shows in `events` from its start. */
  sample(s: FrameSample): void {
    const ended = this.#freezes.push(s);
    const current = this.#freezes.current;
    if (current && !this.#openFreeze) {
      this.#openFreeze = { kind: "freeze", start: current.start, end: undefined };
      this.#add(this.#openFreeze);
    }
    if (!current && this.#openFreeze) {
      // Too short to count (a late frame): forget it; else it ends where the detector says.
      if (ended) this.#openFreeze.end = ended.end;
      else this.events.splice(this.events.indexOf(this.#openFreeze), 1);
      this.#openFreeze = undefined;
    }
  }

  /** A video freeze is under way. */
  get frozen(): boolean {
    return this.#openFreeze !== undefined;
  }

  /** Rebuffers counted once each, and their total time up to `now`, ms. */
  totals(now: number): { count: number; ms: number } {
    const merged = mergeIntervals(this.events, now);
    return {
      count: merged.length,
      ms: merged.reduce((sum, i) => sum + ((i.end ?? now) - i.start), 0),
    };
  }

  #openStall(): Rebuffer | undefined {
    return this.events.find((e) => e.kind === "stall" && e.end === undefined);
  }

  #add(r: Rebuffer): void {
    this.events.push(r);
    this.#onStart(r);
  }
}
