const settled = () => {};

/**
 * Runs work one piece at a time, in the order it was handed in. A piece that
 * fails fails for its caller only; the work behind it still runs. The
 * embedded stores write through one, so a read-modify-write never
 * interleaves with another write; the keyed lock keeps one per busy key.
 */
export class SerialQueue {
  #tail: Promise<void> = Promise.resolve();
  #unfinished = 0;

  /** Pieces handed in and not yet finished. */
  get size(): number {
    return this.#unfinished;
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    this.#unfinished++;
    const result = this.#tail.then(work).finally(() => {
      this.#unfinished--;
    });
    this.#tail = result.then(settled, settled);
    return result;
  }

  /** Resolves once every piece handed in so far, and any handed in meanwhile, has finished. */
  async idle(): Promise<void> {
    while (this.#unfinished > 0) await this.#tail;
  }
}
