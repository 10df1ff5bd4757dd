import type { SerialQueue } from "@marquee/kit";
import type { ClassicLevel } from "classic-level";

export type StreamingDb = ClassicLevel<string, string>;

/**
 * Base of the slices' embedded adapters: JSON values in one classic-level
 * database, and one write queue for all of them, both shared by the composer.
 */
export abstract class EmbeddedAdapter {
  protected readonly db: StreamingDb;
  readonly #writes: SerialQueue;

  constructor(db: StreamingDb, writes: SerialQueue) {
    this.db = db;
    this.#writes = writes;
  }

  /** Runs read-then-write steps one at a time, as Cassandra's conditional writes would. */
  protected serial<T>(work: () => Promise<T>): Promise<T> {
    return this.#writes.run(work);
  }

  protected async get<T>(key: string): Promise<T | undefined> {
    const value = await this.db.get(key);
    return value === undefined ? undefined : (JSON.parse(value) as T);
  }

  protected async prefix<T>(prefix: string): Promise<Array<[string, T]>> {
    const entries = await this.db.iterator({ gt: prefix, lt: `${prefix}~` }).all();
    return entries.map(([k, v]) => [k, JSON.parse(v) as T]);
  }
}
