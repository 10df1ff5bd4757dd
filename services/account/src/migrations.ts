import type { Migration } from "@marquee/kit/cassandra";

/**
 * The schema of keyspace marquee_account. Every table is partitioned by the
 * member, so a member's rows live together and erasure deletes three
 * partitions. Invoices cluster newest first; a member has about twelve a year.
 */
export const ACCOUNT_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "subscriptions, invoices, idempotency, member locks",
    statements: [
      `CREATE TABLE IF NOT EXISTS subscriptions (
        user_id uuid PRIMARY KEY,
        subscription_id uuid,
        tier int,
        billing_cycle int,
        state int,
        anchor_time timestamp,
        period_index int,
        period_start timestamp,
        period_end timestamp,
        pending_tier int,
        pending_billing_cycle int,
        amount_minor bigint,
        currency text,
        payment_token text,
        create_time timestamp,
        update_time timestamp,
        version int,
        published_version int
      )`,
      `CREATE TABLE IF NOT EXISTS invoices (
        user_id uuid,
        create_time timestamp,
        invoice_id uuid,
        subscription_id uuid,
        amount_minor bigint,
        currency text,
        state int,
        description text,
        period_start timestamp,
        period_end timestamp,
        PRIMARY KEY ((user_id), create_time, invoice_id)
      ) WITH CLUSTERING ORDER BY (create_time DESC, invoice_id DESC)`,
      `CREATE TABLE IF NOT EXISTS idempotency (
        user_id uuid,
        key text,
        fingerprint text,
        outcome text,
        create_time timestamp,
        PRIMARY KEY ((user_id), key)
      )`,
      `CREATE TABLE IF NOT EXISTS member_locks (
        user_id uuid PRIMARY KEY,
        owner uuid
      )`,
    ],
  },
];
