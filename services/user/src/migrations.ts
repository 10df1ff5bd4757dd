import type { Migration } from "@marquee/kit/cassandra";

/** The schema of keyspace marquee_user. Applied versions are never edited: add a new one. */
export const USER_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "members, profiles, sessions, signing key, deletion outbox",
    statements: [
      `CREATE TABLE IF NOT EXISTS users (
        user_id uuid PRIMARY KEY, email text, name text, date_of_birth text, country text,
        password_hash text, create_time timestamp, update_time timestamp,
        profiles_version int)`,
      // Claimed with INSERT ... IF NOT EXISTS: the one place e-mail uniqueness is decided.
      "CREATE TABLE IF NOT EXISTS users_by_email (email text PRIMARY KEY, user_id uuid)",
      `CREATE TABLE IF NOT EXISTS profiles (
        user_id uuid, profile_id uuid, name text, avatar text, kids boolean, maturity_cap int,
        pin_hash text, create_time timestamp,
        PRIMARY KEY ((user_id), profile_id))`,
      `CREATE TABLE IF NOT EXISTS sessions (
        session_id uuid PRIMARY KEY, user_id uuid, device_name text, refresh_hash text,
        retired_hashes list<text>, profile_id text, create_time timestamp, expire_time timestamp)`,
      `CREATE TABLE IF NOT EXISTS sessions_by_user (
        user_id uuid, session_id uuid, PRIMARY KEY ((user_id), session_id))`,
      `CREATE TABLE IF NOT EXISTS signing_keys (
        id text PRIMARY KEY, kid text, private_jwk text, public_jwk text, create_time timestamp)`,
      `CREATE TABLE IF NOT EXISTS pending_deletions (
        user_id uuid PRIMARY KEY, profile_ids list<text>, delete_time timestamp)`,
    ],
  },
  {
    version: 2,
    name: "outbox of profile deletions",
    statements: [
      `CREATE TABLE IF NOT EXISTS pending_profile_deletions (
        profile_id uuid PRIMARY KEY, user_id uuid, delete_time timestamp)`,
    ],
  },
  {
    version: 3,
    name: "My List per profile",
    statements: [
      // One partition per profile, bounded by MAX_MY_LIST rows (rules.ts).
      `CREATE TABLE IF NOT EXISTS my_list (
        profile_id uuid, content_id uuid, add_time timestamp,
        PRIMARY KEY ((profile_id), content_id))`,
    ],
  },
];
