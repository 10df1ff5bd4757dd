import type { Migration } from "@marquee/kit/cassandra";

/**
 * Schema of keyspace marquee_feedback. Applied once, in order, by kit
 * openCassandra; an applied migration is never edited.
 *
 * ratings_by_title is the source of truth. A title's ratings are spread over
 * TITLE_SHARDS partitions (by a hash of the profile id); each partition holds
 * its rating rows and one aggregate row (profile_id = '') with the exact
 * counts of those rows and a version. A rating change is ONE conditional
 * batch on one partition: it writes the rating row and the new counts IF the
 * aggregate's version is still the one read, so a rating and its
 * contribution to the counts move together or not at all. Reading the rating
 * row and the aggregate row is one single-partition query, so they are
 * always seen at the same version.
 *
 * The by-profile tables are projections written after that batch with
 * USING TIMESTAMP = the rating's update time (strictly increasing per
 * profile and title), so late or repeated writes can never bring back an
 * older version. ratings_by_profile also receives a row before the change is
 * attempted, so erasure always finds every title a profile touched.
 */
export const migrations: Migration[] = [
  {
    version: 1,
    name: "ratings by title with sharded exact counts, ratings by profile, feedback",
    statements: [
      `CREATE TABLE IF NOT EXISTS ratings_by_title (
        content_id text,
        shard int,
        profile_id text,
        value int,
        previous_value int,
        seq int,
        update_time timestamp,
        previous_update_time timestamp,
        thumbs_down bigint,
        thumbs_up bigint,
        double_thumbs_up bigint,
        version bigint,
        PRIMARY KEY ((content_id, shard), profile_id)
      )`,
      `CREATE TABLE IF NOT EXISTS ratings_by_profile (
        profile_id text,
        content_id text,
        value int,
        update_time timestamp,
        PRIMARY KEY ((profile_id), content_id)
      )`,
      `CREATE TABLE IF NOT EXISTS ratings_by_profile_time (
        profile_id text,
        update_time timestamp,
        content_id text,
        value int,
        PRIMARY KEY ((profile_id), update_time, content_id)
      ) WITH CLUSTERING ORDER BY (update_time DESC, content_id DESC)`,
      `CREATE TABLE IF NOT EXISTS feedback_by_profile (
        profile_id text,
        create_time timestamp,
        feedback_id text,
        content_id text,
        category int,
        body text,
        PRIMARY KEY ((profile_id), create_time, feedback_id)
      ) WITH CLUSTERING ORDER BY (create_time DESC, feedback_id ASC)`,
      `CREATE TABLE IF NOT EXISTS feedback_by_day (
        day text,
        create_time timestamp,
        feedback_id text,
        profile_id text,
        content_id text,
        category int,
        body text,
        PRIMARY KEY ((day), create_time, feedback_id)
      ) WITH CLUSTERING ORDER BY (create_time DESC, feedback_id ASC)`,
    ],
  },
];
