import { SerialQueue } from "./serial-queue.js";

/** Thrown when a key could not be had within the time allowed. */
export class LockTimeoutError extends Error {
  override name = "LockTimeoutError";
}

/**
 * One holder at a time per key, freely across keys, within this process;
 * waiters get the key in the order they asked. A key nobody holds or waits
 * for costs nothing.
 */
export class KeyedLock {
  readonly #queues = new Map<string, SerialQueue>();

  /** Runs `work` once the key is free and holds the key until it settles. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    let queue = this.#queues.get(key);
    if (queue === undefined) {
      queue = new SerialQueue();
      this.#queues.set(key, queue);
    }
    const mine = queue;
    return mine.run(work).finally(() => {
      if (mine.size === 0 && this.#queues.get(key) === mine) this.#queues.delete(key);
    });
  }

  /**
   * Waits for the key and returns the function that frees it, for a hold that
   * spans more than one callback (calling it again does nothing). Throws
   * LockTimeoutError when the key is not had within `waitMs`; the place in
   * line then passes straight on to the next waiter.
   */
  acquire(key: string, waitMs = Number.POSITIVE_INFINITY): Promise<() => void> {
    return new Promise((resolve, reject) => {
      let gaveUp = false;
      const timer = Number.isFinite(waitMs)
        ? setTimeout(() => {
            gaveUp = true;
            reject(new LockTimeoutError(`${key} stayed busy for ${waitMs} ms`));
          }, waitMs)
        : undefined;
      void this.run(
        key,
        () =>
          new Promise<void>((release) => {
            clearTimeout(timer);
            if (gaveUp) release();
            else resolve(() => release());
          }),
      );
    });
  }

  /** Resolves once the work on every key, started so far or meanwhile, has finished. */
  async idle(): Promise<void> {
    while (this.#queues.size > 0) await Promise.all([...this.#queues.values()].map((q) => q.idle()));
  }
}
