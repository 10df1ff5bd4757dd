import type { SerialQueue } from "@marquee/kit";
import type { ClassicLevel } from "classic-level";
import {
  type AddToMyListOutcome,
  type MyListCursor,
  type MyListEntry,
  type MyListStore,
  pageOf,
} from "./my-list-store.js";

type Db = ClassicLevel<string, string>;

const prefixOf = (profileId: string) => `mylist!${profileId}!`;

/** The keys of a profile's list, for the user store to delete with the profile. */
export async function myListKeys(db: Db, profileId: string): Promise<string[]> {
  const prefix = prefixOf(profileId);
  return db.keys({ gt: prefix, lt: `${prefix}\xff` }).all();
}

/**
 * My List on classic-level: `mylist!<profileId>!<contentId>` → the entry.
 * Writes go through the user store's queue, so the size check and the write
 * are one step.
 */
export class EmbeddedMyListStore implements MyListStore {
  readonly #db: Db;
  readonly #writes: SerialQueue;

  constructor(db: Db, writes: SerialQueue) {
    this.#db = db;
    this.#writes = writes;
  }

  async #entries(profileId: string): Promise<MyListEntry[]> {
    const prefix = prefixOf(profileId);
    const values = await this.#db.values({ gt: prefix, lt: `${prefix}\xff` }).all();
    return values.map((v) => {
      const o = JSON.parse(v) as { contentId: string; addTime: string };
      return { contentId: o.contentId, addTime: new Date(o.addTime) };
    });
  }

  addToMyList(profileId: string, entry: MyListEntry, max: number): Promise<AddToMyListOutcome> {
    return this.#writes.run(async () => {
      const entries = await this.#entries(profileId);
      const present = entries.find((e) => e.contentId === entry.contentId);
      if (present) return { outcome: "present", entry: present };
      if (entries.length >= max) return { outcome: "full" };
      await this.#db.put(`${prefixOf(profileId)}${entry.contentId}`, JSON.stringify(entry));
      return { outcome: "added", entry };
    });
  }

  removeFromMyList(profileId: string, contentId: string): Promise<void> {
    return this.#writes.run(() => this.#db.del(`${prefixOf(profileId)}${contentId}`));
  }

  async listMyList(profileId: string, limit: number, after?: MyListCursor): Promise<MyListEntry[]> {
    return pageOf(await this.#entries(profileId), limit, after);
  }
}
