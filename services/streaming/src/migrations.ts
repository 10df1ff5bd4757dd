import type { Migration } from "@marquee/kit/cassandra";
import { INGEST_JOB_TTL_MS } from "./ingest/job-store.js";

/** How long viewing history is kept: 13 month buckets, a little over a year (see CAPACITY.md). */
export const HISTORY_RETENTION_MONTHS = 13;
const HISTORY_TTL_SECONDS = 400 * 24 * 3600;
const INGEST_JOB_TTL_SECONDS = INGEST_JOB_TTL_MS / 1000;

/** The keyspace marquee_streaming, one versioned step at a time (never edit an applied one). */
export const migrations: Migration[] = [
  {
    version: 1,
    name: "sessions, stream slots, playback progress, viewing history",
    statements: [
      `CREATE TABLE IF NOT EXISTS sessions (
        session_id uuid PRIMARY KEY, user_id uuid, profile_id uuid, content_id uuid, episode_id text,
        device_id text, asset_id text, duration_ms bigint, max_height int, max_streams int, slot int,
        start_time timestamp, country text, ended boolean
      ) WITH default_time_to_live = 86400`,
      // One row per slot the plan allows; a row lives while its session renews the lease (TTL).
      `CREATE TABLE IF NOT EXISTS stream_slots (
        user_id uuid, slot int, session_id uuid, PRIMARY KEY ((user_id), slot)
      )`,
      // Every write carries USING TIMESTAMP = the heartbeat's event time: an older reading never wins.
      `CREATE TABLE IF NOT EXISTS playback_progress (
        profile_id uuid, content_id uuid, episode_id text, position_ms bigint, duration_ms bigint,
        completed boolean, device_id text, update_time timestamp,
        PRIMARY KEY ((profile_id), content_id)
      )`,
      // One row per viewing session; partitions bounded to one profile-month; whole SSTables expire.
      `CREATE TABLE IF NOT EXISTS viewing_history (
        profile_id uuid, month int, watched_at timestamp, content_id uuid, episode_id text,
        session_id uuid, position_ms bigint, duration_ms bigint, completed boolean,
        PRIMARY KEY ((profile_id, month), watched_at, content_id)
      ) WITH CLUSTERING ORDER BY (watched_at DESC, content_id DESC)
        AND compaction = {'class': 'TimeWindowCompactionStrategy', 'compaction_window_unit': 'DAYS', 'compaction_window_size': 30}
        AND default_time_to_live = ${HISTORY_TTL_SECONDS}`,
    ],
  },
  {
    version: 2,
    name: "leveled compaction for playback_progress (overwritten at every heartbeat, read at every resume)",
    statements: [
      "ALTER TABLE playback_progress WITH compaction = {'class': 'LeveledCompactionStrategy', 'sstable_size_in_mb': 160}",
    ],
  },
  {
    version: 3,
    name: "ingest jobs, shared by the replicas",
    statements: [
      // One partition holds the jobs of the last 30 days, so a replica finds the unfinished ones in one
      // read; ingests are operator actions (thousands a month at most), far below a partition's bounds.
      `CREATE TABLE IF NOT EXISTS ingest_jobs (
        bucket int, job_id uuid, content_id uuid, episode_id text, source text, state text,
        progress double, stage text, error text, renditions text, owner text, lease_until timestamp,
        attempts int, created_at timestamp,
        PRIMARY KEY ((bucket), job_id)
      ) WITH default_time_to_live = ${INGEST_JOB_TTL_SECONDS}`,
    ],
  },
  {
    version: 4,
    name: "ingest jobs: audio languages and subtitle files besides the source",
    statements: ["ALTER TABLE ingest_jobs ADD tracks text"],
  },
];
