import { mkdirSync } from "node:fs";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { SerialQueue } from "@marquee/kit";
import { type Content, ContentSchema } from "@marquee/sdk/marquee/content/v1/content_pb";
import { ClassicLevel } from "classic-level";
import { type IndexEntry, indexEntries } from "./browse-index.js";
import type { BrowseOrder } from "./domain/sort-keys.js";
import type { BrowsePosition, BrowseRow, ContentStore, PendingAnnouncement } from "./store.js";

// Keys: "c\0<id>" → title; "b\0<bucket>\0<order>\0<key>\0<id>" → maturity.
// \0 sorts before every character a key part may hold, so prefixes order first.
const SEP = "\u0000";
const contentKey = (id: string) => `c${SEP}${id}`;
const rowPrefix = (bucket: string, order: BrowseOrder) => `b${SEP}${bucket}${SEP}${order}${SEP}`;
const rowKey = (e: IndexEntry) => `${rowPrefix(e.bucket, e.order)}${e.key}${SEP}${e.id}`;
const ANNOUNCEMENTS = `a${SEP}`;
const announcementKey = (p: PendingAnnouncement) =>
  `${ANNOUNCEMENTS}${p.contentId}${SEP}${p.updateMs.toString().padStart(15, "0")}`;
const updateMsOf = (c: Content) => (c.updateTime ? timestampMs(c.updateTime) : Date.now());

/**
 * The content store of embedded mode on classic-level (LevelDB). Writes go
 * through one queue, so reading the previous version and replacing its index
 * rows is never interleaved with another write of the same title.
 */
export class EmbeddedContentStore implements ContentStore {
  readonly #db: ClassicLevel<string, Uint8Array>;
  readonly #writes = new SerialQueue();

  private constructor(db: ClassicLevel<string, Uint8Array>) {
    this.#db = db;
  }

  static async open(dir: string): Promise<EmbeddedContentStore> {
    mkdirSync(dir, { recursive: true });
    const db = new ClassicLevel<string, Uint8Array>(dir, { valueEncoding: "view" });
    await db.open();
    return new EmbeddedContentStore(db);
  }

  async get(contentId: string): Promise<Content | undefined> {
    const value = await this.#db.get(contentKey(contentId));
    return value === undefined ? undefined : fromBinary(ContentSchema, value);
  }

  async getMany(contentIds: readonly string[]): Promise<Map<string, Content>> {
    const unique = [...new Set(contentIds)];
    const values = await this.#db.getMany(unique.map(contentKey));
    const found = new Map<string, Content>();
    unique.forEach((id, i) => {
      const value = values[i];
      if (value !== undefined) found.set(id, fromBinary(ContentSchema, value));
    });
    return found;
  }

  put(content: Content, announce = false): Promise<PendingAnnouncement | undefined> {
    const owed = announce ? { contentId: content.contentId, updateMs: updateMsOf(content) } : undefined;
    return this.#writes.run(async () => {
      const previous = await this.get(content.contentId);
      const oldRows = previous === undefined ? [] : indexEntries(previous).map(rowKey);
      const newEntries = indexEntries(content);
      const newRows = new Set(newEntries.map(rowKey));
      await this.#db.batch([
        ...oldRows.filter((k) => !newRows.has(k)).map((key) => ({ type: "del" as const, key })),
        ...newEntries.map((e) => ({
          type: "put" as const,
          key: rowKey(e),
          value: Uint8Array.of(e.maturity),
        })),
        { type: "put" as const, key: contentKey(content.contentId), value: toBinary(ContentSchema, content) },
        ...(owed === undefined
          ? []
          : [{ type: "put" as const, key: announcementKey(owed), value: new Uint8Array() }]),
      ]);
      return owed;
    });
  }

  async pendingAnnouncements(): Promise<PendingAnnouncement[]> {
    const keys = await this.#db.keys({ gt: ANNOUNCEMENTS, lt: `${ANNOUNCEMENTS}\uffff` }).all();
    return keys.map((key) => {
      const [contentId = "", updateMs = "0"] = key.slice(ANNOUNCEMENTS.length).split(SEP);
      return { contentId, updateMs: Number(updateMs) };
    });
  }

  clearAnnouncement(pending: PendingAnnouncement): Promise<void> {
    return this.#writes.run(() => this.#db.del(announcementKey(pending)));
  }

  async browseRows(
    bucket: string,
    order: BrowseOrder,
    after: BrowsePosition | undefined,
    limit: number,
  ): Promise<BrowseRow[]> {
    const prefix = rowPrefix(bucket, order);
    const gt = after === undefined ? prefix : `${prefix}${after.key}${SEP}${after.id}`;
    const entries = await this.#db.iterator({ gt, lt: `${prefix}\uffff`, limit }).all();
    return entries.map(([k, v]) => {
      const rest = k.slice(prefix.length);
      const cut = rest.lastIndexOf(SEP);
      return { key: rest.slice(0, cut), id: rest.slice(cut + 1), maturity: v[0] ?? 0 };
    });
  }

  async *scan(): AsyncIterable<Content> {
    for await (const value of this.#db.values({ gt: contentKey(""), lt: `c${SEP}\uffff` })) {
      yield fromBinary(ContentSchema, value);
    }
  }

  async isEmpty(): Promise<boolean> {
    const first = await this.#db.keys({ gt: contentKey(""), lt: `c${SEP}\uffff`, limit: 1 }).all();
    return first.length === 0;
  }

  async close(): Promise<void> {
    await this.#writes.idle();
    await this.#db.close();
  }
}
