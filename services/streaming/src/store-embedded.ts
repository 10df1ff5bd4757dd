import { mkdirSync } from "node:fs";
import { SerialQueue } from "@marquee/kit";
import { ClassicLevel } from "classic-level";
import type { StreamingDb } from "./embedded-shared.js";
import { EmbeddedHistoryStore } from "./history/history-store-embedded.js";
import { EmbeddedJobStore } from "./ingest/job-store-embedded.js";
import { EmbeddedSessionStore } from "./playback/session-store-embedded.js";
import { ComposedStreamingStore } from "./store.js";

/**
 * The embedded adapter: the slices' adapters on one classic-level database,
 * their keys apart by prefix. Every read-then-write of any slice goes through
 * one queue, so none interleaves with another.
 */
export class EmbeddedStreamingStore extends ComposedStreamingStore {
  readonly #db: StreamingDb;
  readonly #writes: SerialQueue;

  private constructor(db: StreamingDb, writes: SerialQueue) {
    super({
      sessions: new EmbeddedSessionStore(db, writes),
      history: new EmbeddedHistoryStore(db, writes),
      jobs: new EmbeddedJobStore(db, writes),
    });
    this.#db = db;
    this.#writes = writes;
  }

  static async open(dir: string): Promise<EmbeddedStreamingStore> {
    mkdirSync(dir, { recursive: true });
    const db = new ClassicLevel<string, string>(dir);
    await db.open();
    return new EmbeddedStreamingStore(db, new SerialQueue());
  }

  async close(): Promise<void> {
    await this.#writes.idle();
    await this.#db.close();
  }
}
