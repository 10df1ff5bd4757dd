import { mkdirSync } from "node:fs";
import { SerialQueue } from "@marquee/kit";
import { ClassicLevel } from "classic-level";
import type { View } from "./domain/trending.js";
import type { TrendingStore } from "./trending-store.js";

const SEP = "\u0000";

/** Trending views on classic-level: "<scope>\0<content>\0<profile>" → latest time in ms. */
export class EmbeddedTrendingStore implements TrendingStore {
  readonly #db: ClassicLevel<string, string>;
  readonly #writes = new SerialQueue();

  private constructor(db: ClassicLevel<string, string>) {
    this.#db = db;
  }

  static async open(dir: string): Promise<EmbeddedTrendingStore> {
    mkdirSync(dir, { recursive: true });
    const db = new ClassicLevel<string, string>(dir);
    await db.open();
    return new EmbeddedTrendingStore(db);
  }

  recordView(scope: string, contentId: string, profileId: string, at: Date): Promise<void> {
    const key = `${scope}${SEP}${contentId}${SEP}${profileId}`;
    return this.#writes.run(async () => {
      const stored = await this.#db.get(key);
      if (stored !== undefined && Number(stored) >= at.getTime()) return;
      await this.#db.put(key, String(at.getTime()));
    });
  }

  async viewsSince(scope: string, since: Date): Promise<View[]> {
    const views: View[] = [];
    const expired: string[] = [];
    const prefix = `${scope}${SEP}`;
    for await (const [key, value] of this.#db.iterator({ gt: prefix, lt: `${prefix}\uffff` })) {
      const t = Number(value);
      if (t < since.getTime()) {
        expired.push(key);
        continue;
      }
      const contentId = key.slice(prefix.length, key.indexOf(SEP, prefix.length));
      views.push({ contentId, lastSeen: new Date(t) });
    }
    // Views past the window are dropped as they are met (the Cassandra adapter uses TTLs).
    if (expired.length > 0 && since.getTime() <= Date.now()) {
      await this.#db.batch(expired.map((key) => ({ type: "del" as const, key })));
    }
    return views;
  }

  async close(): Promise<void> {
    await this.#writes.idle();
    await this.#db.close();
  }
}
