import type { Migration } from "@marquee/kit/cassandra";

/** The schema of keyspace marquee_content. Applied once each, in order; never edit an applied one. */
export const CONTENT_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "titles and browse index",
    statements: [
      // The source of truth: one row per title, its protobuf encoding (seasons and episodes inside).
      `CREATE TABLE IF NOT EXISTS contents (
        content_id text PRIMARY KEY,
        body blob,
        update_time timestamp
      )`,
      // Published titles per (genre or "_all", order), in the order members see them.
      // One partition per genre and order: bounded by the genre's size (thousands of rows).
      `CREATE TABLE IF NOT EXISTS browse_index (
        bucket text,
        sort_order text,
        sort_key text,
        content_id text,
        maturity int,
        PRIMARY KEY ((bucket, sort_order), sort_key, content_id)
      )`,
    ],
  },
  {
    version: 2,
    name: "trending viewers",
    statements: [
      // The latest view of each (title, profile) in the last 24 hours, per scope
      // ("world" or a country) and shard; rows expire with their TTL.
      `CREATE TABLE IF NOT EXISTS trending_viewers (
        scope text,
        shard int,
        content_id text,
        profile_id text,
        last_seen timestamp,
        PRIMARY KEY ((scope, shard), content_id, profile_id)
      ) WITH default_time_to_live = 86400`,
    ],
  },
  {
    version: 3,
    name: "outbox of visibility events",
    statements: [
      // Written in the same logged batch as the title; deleted once its event is published.
      `CREATE TABLE IF NOT EXISTS pending_announcements (
        content_id text,
        update_time timestamp,
        PRIMARY KEY ((content_id), update_time)
      )`,
    ],
  },
];
