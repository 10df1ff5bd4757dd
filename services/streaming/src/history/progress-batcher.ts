import type { HistoryStore, ProgressWrite } from "./history-store.js";

interface Pending {
  write: ProgressWrite;
  waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }>;
}

/** Readings of one session land on the same progress and history rows. */
const rowsOf = (w: ProgressWrite) => `${w.profileId}|${w.contentId}|${w.episodeId}|${w.sessionId}`;

/**
 * Group commit for progress writes: while one round of writes is out, the
 * next round gathers, and of the readings of one session only the newest is
 * written. That is the same end state as writing each: both rows are written
 * with the event time as their timestamp, so an older reading could never win
 * over the newer one anyway. Each caller resolves once a write covering its
 * reading is durable, and every caller of a failed write gets the error (its
 * event is then redelivered), so nothing is acknowledged before it is stored.
 * With `gatherMs`, a round also waits until that long after the last one
 * began, unless a full round is already waiting: at a low rate the store then
 * gets its writes in a few larger bursts instead of many small ones (each
 * burst wakes its request threads once).
 */
export class ProgressBatcher {
  readonly #store: Pick<HistoryStore, "recordProgress">;
  #gathering = new Map<string, Pending>();
  #flushing = false;
  readonly #maxRound: number;
  readonly #gatherMs: number;
  #lastRound = 0;
  /** Wakes a round waiting for its time, once a full round has gathered. */
  #full: (() => void) | undefined;

  /**
   * `maxRound`: sessions written at once; the rest wait for the next round, so a slow store is not
   * flooded. `gatherMs`: least time from one round's start to the next's while rounds are not full.
   */
  constructor(store: Pick<HistoryStore, "recordProgress">, maxRound = 256, gatherMs = 0) {
    this.#store = store;
    this.#maxRound = maxRound;
    this.#gatherMs = gatherMs;
  }

  /** Resolves once `write`, or a newer reading of the same session, is durable. */
  record(write: ProgressWrite): Promise<void> {
    return new Promise((resolve, reject) => {
      const key = rowsOf(write);
      const pending = this.#gathering.get(key);
      if (pending === undefined) this.#gathering.set(key, { write, waiters: [{ resolve, reject }] });
      else {
        if (write.eventTime.getTime() >= pending.write.eventTime.getTime()) pending.write = write;
        pending.waiters.push({ resolve, reject });
      }
      if (this.#gathering.size >= this.#maxRound) this.#full?.();
      if (!this.#flushing) {
        this.#flushing = true;
        // After the I/O callbacks of this turn, so the events that arrived together go together.
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    while (this.#gathering.size > 0) {
      const wait = this.#lastRound + this.#gatherMs - Date.now();
      if (wait > 0 && this.#gathering.size < this.#maxRound) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          this.#full = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#full = undefined;
      }
      this.#lastRound = Date.now();
      const round: Pending[] = [];
      for (const [key, pending] of this.#gathering) {
        this.#gathering.delete(key);
        round.push(pending);
        if (round.length === this.#maxRound) break;
      }
      await Promise.all(
        round.map(async ({ write, waiters }) => {
          try {
            await this.#store.recordProgress(write);
            for (const w of waiters) w.resolve();
          } catch (err) {
            for (const w of waiters) w.reject(err);
          }
        }),
      );
    }
    this.#flushing = false;
  }
}
