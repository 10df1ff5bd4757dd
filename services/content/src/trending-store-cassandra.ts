import { createHash } from "node:crypto";
import type { Client } from "cassandra-driver";
import { TRENDING_WINDOW_MS, type View } from "./domain/trending.js";
import type { TrendingStore } from "./trending-store.js";

/** Partitions per scope: spreads the worldwide scope's writes over the ring. */
const TRENDING_SHARDS = 8;

function shardOf(profileId: string): number {
  return createHash("md5").update(profileId).digest().readUInt8(0) % TRENDING_SHARDS;
}

/**
 * Trending views on Cassandra (table trending_viewers of marquee_content).
 * Each write carries USING TIMESTAMP = the view's time, so the latest view
 * wins whatever the arrival order, and a TTL that ends 24 hours after the
 * view, so the window cleans itself.
 */
export class CassandraTrendingStore implements TrendingStore {
  readonly #client: Client;

  constructor(client: Client) {
    this.#client = client;
  }

  async recordView(scope: string, contentId: string, profileId: string, at: Date): Promise<void> {
    const ttl = Math.ceil((at.getTime() + TRENDING_WINDOW_MS - Date.now()) / 1000);
    if (ttl <= 0) return;
    await this.#client.execute(
      "INSERT INTO trending_viewers (scope, shard, content_id, profile_id, last_seen) VALUES (?, ?, ?, ?, ?) USING TTL ? AND TIMESTAMP ?",
      [scope, shardOf(profileId), contentId, profileId, at, Math.min(ttl, 86_400), at.getTime() * 1000],
      { prepare: true },
    );
  }

  async viewsSince(scope: string, since: Date): Promise<View[]> {
    const perShard = await Promise.all(
      Array.from({ length: TRENDING_SHARDS }, async (_, shard) => {
        const views: View[] = [];
        let pageState: string | undefined;
        do {
          const rs = await this.#client.execute(
            "SELECT content_id, last_seen FROM trending_viewers WHERE scope = ? AND shard = ?",
            [scope, shard],
            { prepare: true, fetchSize: 5_000, pageState },
          );
          for (const r of rs.rows) {
            const lastSeen = r.last_seen as Date;
            if (lastSeen >= since) views.push({ contentId: r.content_id as string, lastSeen });
          }
          pageState = rs.pageState ?? undefined;
        } while (pageState);
        return views;
      }),
    );
    return perShard.flat();
  }

  async close(): Promise<void> {}
}
