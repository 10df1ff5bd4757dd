/** Thrown when a key could not be had in time. */
export class MutexTimeoutError extends Error {
  override name = "MutexTimeoutError";
}

/** One holder at a time per key, within this process; waiters queue in order. */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  /**
   * Resolves once the key is ours (call the returned function to let the next
   * waiter in), or throws MutexTimeoutError after `waitMs`.
   */
  async acquire(key: string, waitMs = Number.POSITIVE_INFINITY): Promise<() => void> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let open!: () => void;
    const mine = new Promise<void>((resolve) => {
      open = resolve;
    });
    const tail = previous.then(() => mine);
    this.#tails.set(key, tail);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      open();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    };
    if (!Number.isFinite(waitMs)) {
      await previous;
      return release;
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      previous.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), waitMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      // Our place in the queue passes straight on to the next waiter.
      void previous.then(release);
      throw new MutexTimeoutError(`${key} stayed busy for ${waitMs} ms`);
    }
    return release;
  }
}
