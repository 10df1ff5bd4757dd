import type { Client } from "cassandra-driver";
import {
  type AddToMyListOutcome,
  type MyListCursor,
  type MyListEntry,
  type MyListStore,
  pageOf,
} from "./my-list-store.js";

/** The statement that erases a profile's list, for the user store's deletion batches. */
export const eraseMyList = (profileId: string) => ({
  query: "DELETE FROM my_list WHERE profile_id = ?",
  params: [profileId],
});

/**
 * My List on Cassandra: table my_list, one partition per profile, a row per
 * title. The list is bounded (see MAX_MY_LIST), so a page reads the whole
 * partition (at most a few tens of kilobytes) and sorts it; no second table
 * ordered by time has to be kept in step. Adding is a lightweight
 * transaction on the row, so a title added twice keeps its first time; the
 * size is checked before it, so titles added at the same moment from several
 * devices can pass the bound by as many, which it tolerates.
 */
export class CassandraMyListStore implements MyListStore {
  readonly #db: Client;

  constructor(client: Client) {
    this.#db = client;
  }

  async #entries(profileId: string): Promise<MyListEntry[]> {
    const rs = await this.#db.execute(
      "SELECT content_id, add_time FROM my_list WHERE profile_id = ?",
      [profileId],
      { prepare: true, fetchSize: 1_000 },
    );
    return rs.rows.map((r) => ({ contentId: String(r.content_id), addTime: r.add_time as Date }));
  }

  async addToMyList(profileId: string, entry: MyListEntry, max: number): Promise<AddToMyListOutcome> {
    const entries = await this.#entries(profileId);
    const present = entries.find((e) => e.contentId === entry.contentId);
    if (present) return { outcome: "present", entry: present };
    if (entries.length >= max) return { outcome: "full" };
    const rs = await this.#db.execute(
      "INSERT INTO my_list (profile_id, content_id, add_time) VALUES (?, ?, ?) IF NOT EXISTS",
      [profileId, entry.contentId, entry.addTime],
      { prepare: true },
    );
    if (rs.wasApplied()) return { outcome: "added", entry };
    const row = rs.first();
    return { outcome: "present", entry: { contentId: entry.contentId, addTime: row.add_time as Date } };
  }

  async removeFromMyList(profileId: string, contentId: string): Promise<void> {
    await this.#db.execute(
      "DELETE FROM my_list WHERE profile_id = ? AND content_id = ?",
      [profileId, contentId],
      {
        prepare: true,
      },
    );
  }

  async listMyList(profileId: string, limit: number, after?: MyListCursor): Promise<MyListEntry[]> {
    return pageOf(await this.#entries(profileId), limit, after);
  }
}
