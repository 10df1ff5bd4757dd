import type { BackendsConfig, Logger } from "@marquee/kit";
import { type Migration, openCassandra } from "@marquee/kit/cassandra";
import { type Client, types } from "cassandra-driver";
import type { CatalogTitle, Interaction } from "./model/types.js";
import type { RatingFact, TasteStore, TitleFacts, ViewingFact } from "./store.js";

/**
 * Keyspace marquee_recommendation. Interactions live in one partition per
 * profile (erasure is one partition delete). Event-sourced columns are
 * written `USING TIMESTAMP` = the event's time, so Cassandra's last-write-wins
 * keeps the latest fact whatever order events arrive in, and an erasure's
 * tombstone shadows any older event replayed after it.
 */
const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "interactions, titles and genre names",
    statements: [
      `CREATE TABLE IF NOT EXISTS interactions (
        profile_id text, content_id text,
        rating int, rating_time timestamp,
        view_fraction double, view_time timestamp, completed boolean, abandoned boolean,
        PRIMARY KEY ((profile_id), content_id))`,
      `CREATE TABLE IF NOT EXISTS titles (
        content_id text PRIMARY KEY, title text, genre_ids list<text>, cast_names list<text>, synopsis text,
        maturity int, available_from timestamp, available_until timestamp, popularity double,
        published boolean, visibility_time timestamp)`,
      "CREATE TABLE IF NOT EXISTS genre_names (genre_id text PRIMARY KEY, name text)",
    ],
  },
];

const micros = (ms: number) => types.Long.fromNumber(Math.round(ms) * 1000);
const ms = (d: Date | null | undefined) => (d instanceof Date ? d.getTime() : 0);
const at = (t: number) => (t > 0 ? new Date(t) : null);

function toInteraction(r: types.Row): Interaction {
  return {
    profileId: r.profile_id,
    contentId: r.content_id,
    rating: r.rating ?? 0,
    ratingTime: ms(r.rating_time),
    viewFraction: r.view_fraction ?? 0,
    viewTime: ms(r.view_time),
    completed: r.completed === true,
    abandoned: r.abandoned === true,
  };
}

function toTitle(r: types.Row): CatalogTitle {
  return {
    contentId: r.content_id,
    title: r.title ?? "",
    genreIds: r.genre_ids ?? [],
    cast: r.cast_names ?? [],
    synopsis: r.synopsis ?? "",
    maturity: r.maturity ?? 0,
    published: r.published === true,
    visibilityTime: ms(r.visibility_time),
    availableFrom: ms(r.available_from),
    availableUntil: ms(r.available_until),
    popularity: r.popularity ?? 0,
  };
}

export interface CassandraStoreOptions {
  config: BackendsConfig["cassandra"];
  keyspace?: string;
  log: Logger;
}

export async function openCassandraStore(opts: CassandraStoreOptions): Promise<TasteStore> {
  const client: Client = await openCassandra({
    config: opts.config,
    keyspace: opts.keyspace ?? "marquee_recommendation",
    migrations: MIGRATIONS,
    log: opts.log,
  });
  const rows = async function* (query: string, params: unknown[]) {
    // The driver's ResultStream is a Readable (async-iterable), typed as a plain EventEmitter.
    const stream = client.stream(query, params, { prepare: true, autoPage: true, fetchSize: 5_000 });
    for await (const row of stream as unknown as AsyncIterable<types.Row>) yield row;
  };
  const store: TasteStore = {
    async recordRating(f: RatingFact) {
      await client.execute(
        "UPDATE interactions USING TIMESTAMP ? SET rating = ?, rating_time = ? WHERE profile_id = ? AND content_id = ?",
        [micros(f.time), f.value, new Date(f.time), f.profileId, f.contentId],
      );
    },

    async recordViewing(f: ViewingFact) {
      await client.execute(
        `UPDATE interactions USING TIMESTAMP ? SET view_fraction = ?, view_time = ?, abandoned = ?${f.completed ? ", completed = true" : ""} WHERE profile_id = ? AND content_id = ?`,
        [micros(f.time), f.fraction, new Date(f.time), f.abandoned, f.profileId, f.contentId],
      );
    },

    async getInteraction(profileId, contentId) {
      const rs = await client.execute("SELECT * FROM interactions WHERE profile_id = ? AND content_id = ?", [
        profileId,
        contentId,
      ]);
      const row = rs.first();
      return row === null ? undefined : toInteraction(row);
    },

    async profileInteractions(profileId) {
      const out: Interaction[] = [];
      for await (const r of rows("SELECT * FROM interactions WHERE profile_id = ?", [profileId]))
        out.push(toInteraction(r));
      return out;
    },

    async *allInteractions() {
      for await (const r of rows("SELECT * FROM interactions", [])) yield toInteraction(r);
    },

    async importInteractions(interactions) {
      // Each part keeps its event time as its write time, so later events still merge as usual.
      const writes = (i: Interaction): Promise<unknown>[] => [
        ...(i.ratingTime > 0 ? [store.recordRating({ ...i, value: i.rating, time: i.ratingTime })] : []),
        ...(i.viewTime > 0
          ? [store.recordViewing({ ...i, fraction: i.viewFraction, time: i.viewTime })]
          : []),
      ];
      // Bounded concurrency: a few hundred writes in flight at once.
      for (let start = 0; start < interactions.length; start += 256) {
        await Promise.all(interactions.slice(start, start + 256).flatMap(writes));
      }
    },

    async eraseProfile(profileId) {
      await client.execute("DELETE FROM interactions WHERE profile_id = ?", [profileId]);
    },

    async putTitle(t: TitleFacts) {
      await client.execute(
        `INSERT INTO titles (content_id, title, genre_ids, cast_names, synopsis, maturity, available_from, available_until, popularity)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          t.contentId,
          t.title,
          t.genreIds,
          t.cast,
          t.synopsis,
          t.maturity,
          at(t.availableFrom),
          at(t.availableUntil),
          t.popularity,
        ],
      );
    },

    async setVisibility(contentId, published, time) {
      await client.execute(
        "UPDATE titles USING TIMESTAMP ? SET published = ?, visibility_time = ? WHERE content_id = ?",
        [micros(time), published, new Date(time), contentId],
      );
    },

    async getTitle(contentId) {
      const row = (await client.execute("SELECT * FROM titles WHERE content_id = ?", [contentId])).first();
      return row === null ? undefined : toTitle(row);
    },

    async listTitles() {
      const out: CatalogTitle[] = [];
      for await (const r of rows("SELECT * FROM titles", [])) out.push(toTitle(r));
      return out;
    },

    async putGenreNames(names) {
      await Promise.all(
        [...names].map(([id, name]) =>
          client.execute("INSERT INTO genre_names (genre_id, name) VALUES (?, ?)", [id, name]),
        ),
      );
    },

    async genreNames() {
      const out = new Map<string, string>();
      for await (const r of rows("SELECT genre_id, name FROM genre_names", [])) out.set(r.genre_id, r.name);
      return out;
    },

    close: () => client.shutdown(),
  };
  return store;
}
