import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { BackendsConfig, Logger } from "@marquee/kit";
import { openCassandra } from "@marquee/kit/cassandra";
import { type Content, ContentSchema } from "@marquee/sdk/marquee/content/v1/content_pb";
import type { Client } from "cassandra-driver";
import { indexEntries } from "./browse-index.js";
import type { BrowseOrder } from "./domain/sort-keys.js";
import { CONTENT_MIGRATIONS } from "./migrations.js";
import type { BrowsePosition, BrowseRow, ContentStore, PendingAnnouncement } from "./store.js";

const CONTENT_KEYSPACE = "marquee_content";

const rowId = (e: { bucket: string; order: string; key: string; id: string }) =>
  `${e.bucket}\u0000${e.order}\u0000${e.key}\u0000${e.id}`;

/**
 * The content store on Cassandra. A title and its browse index rows change in
 * one logged batch, so a failed write leaves neither half behind.
 */
export class CassandraContentStore implements ContentStore {
  readonly #client: Client;
  readonly #ownsClient: boolean;

  constructor(client: Client, ownsClient = true) {
    this.#client = client;
    this.#ownsClient = ownsClient;
  }

  static async open(
    config: BackendsConfig["cassandra"],
    log: Logger,
    keyspace = CONTENT_KEYSPACE,
  ): Promise<CassandraContentStore> {
    return new CassandraContentStore(
      await openCassandra({ config, keyspace, migrations: CONTENT_MIGRATIONS, log }),
    );
  }

  get client(): Client {
    return this.#client;
  }

  async get(contentId: string): Promise<Content | undefined> {
    const rs = await this.#client.execute("SELECT body FROM contents WHERE content_id = ?", [contentId]);
    const body = rs.first()?.body as Buffer | undefined;
    return body === undefined ? undefined : fromBinary(ContentSchema, body);
  }

  async getMany(contentIds: readonly string[]): Promise<Map<string, Content>> {
    // Single-partition reads in parallel spread over the ring better than one IN query.
    const unique = [...new Set(contentIds)];
    const found = await Promise.all(unique.map((id) => this.get(id)));
    const map = new Map<string, Content>();
    found.forEach((c, i) => {
      if (c !== undefined) map.set(unique[i] as string, c);
    });
    return map;
  }

  async put(content: Content, announce = false): Promise<PendingAnnouncement | undefined> {
    const previous = await this.get(content.contentId);
    const entries = indexEntries(content);
    const keep = new Set(entries.map(rowId));
    const stale = previous === undefined ? [] : indexEntries(previous).filter((e) => !keep.has(rowId(e)));
    const updateTime = content.updateTime ? timestampDate(content.updateTime) : new Date();
    await this.#client.batch(
      [
        ...stale.map((e) => ({
          query:
            "DELETE FROM browse_index WHERE bucket = ? AND sort_order = ? AND sort_key = ? AND content_id = ?",
          params: [e.bucket, e.order, e.key, e.id],
        })),
        ...entries.map((e) => ({
          query:
            "INSERT INTO browse_index (bucket, sort_order, sort_key, content_id, maturity) VALUES (?, ?, ?, ?, ?)",
          params: [e.bucket, e.order, e.key, e.id, e.maturity],
        })),
        {
          query: "INSERT INTO contents (content_id, body, update_time) VALUES (?, ?, ?)",
          params: [content.contentId, Buffer.from(toBinary(ContentSchema, content)), updateTime],
        },
        ...(announce
          ? [
              {
                query: "INSERT INTO pending_announcements (content_id, update_time) VALUES (?, ?)",
                params: [content.contentId, updateTime],
              },
            ]
          : []),
      ],
      { prepare: true, logged: true },
    );
    return announce ? { contentId: content.contentId, updateMs: updateTime.getTime() } : undefined;
  }

  async pendingAnnouncements(): Promise<PendingAnnouncement[]> {
    const rs = await this.#client.execute("SELECT content_id, update_time FROM pending_announcements");
    return rs.rows.map((r) => ({
      contentId: String(r.content_id),
      updateMs: (r.update_time as Date).getTime(),
    }));
  }

  async clearAnnouncement(pending: PendingAnnouncement): Promise<void> {
    await this.#client.execute(
      "DELETE FROM pending_announcements WHERE content_id = ? AND update_time = ?",
      [pending.contentId, new Date(pending.updateMs)],
      { prepare: true },
    );
  }

  async browseRows(
    bucket: string,
    order: BrowseOrder,
    after: BrowsePosition | undefined,
    limit: number,
  ): Promise<BrowseRow[]> {
    const rs =
      after === undefined
        ? await this.#client.execute(
            "SELECT sort_key, content_id, maturity FROM browse_index WHERE bucket = ? AND sort_order = ? LIMIT ?",
            [bucket, order, limit],
          )
        : await this.#client.execute(
            "SELECT sort_key, content_id, maturity FROM browse_index WHERE bucket = ? AND sort_order = ? AND (sort_key, content_id) > (?, ?) LIMIT ?",
            [bucket, order, after.key, after.id, limit],
          );
    return rs.rows.map((r) => ({
      key: r.sort_key as string,
      id: r.content_id as string,
      maturity: r.maturity as number,
    }));
  }

  async *scan(): AsyncIterable<Content> {
    let pageState: string | undefined;
    do {
      const rs = await this.#client.execute("SELECT body FROM contents", [], { fetchSize: 500, pageState });
      for (const row of rs.rows) yield fromBinary(ContentSchema, row.body as Buffer);
      pageState = rs.pageState ?? undefined;
    } while (pageState);
  }

  async isEmpty(): Promise<boolean> {
    const rs = await this.#client.execute("SELECT content_id FROM contents LIMIT 1");
    return rs.rowLength === 0;
  }

  async close(): Promise<void> {
    if (this.#ownsClient) await this.#client.shutdown();
  }
}
