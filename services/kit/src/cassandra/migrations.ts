import { createHash, randomUUID } from "node:crypto";
import type { Client } from "cassandra-driver";
import type { Logger } from "pino";

/** One step of a keyspace's schema. Versions only grow; an applied migration is never edited. */
export interface Migration {
  version: number;
  name: string;
  /** CQL statements run in order. */
  statements: string[];
}

export class MigrationError extends Error {
  override name = "MigrationError";
}

const LOCK_ID = "migrate";

export interface MigrateOptions {
  /** How long to wait for another process's migration before giving up. */
  waitMs?: number;
  /**
   * The lock is a lease its holder renews every third of this while it migrates, so a migrator
   * that dies (killed mid-start, its node lost) frees it within this long, not minutes later.
   */
  leaseSeconds?: number;
}

/** The migration lock held by one process: renewed while it lives, released when done. */
export class MigrationLock {
  readonly #client: Client;
  readonly #owner = randomUUID();
  readonly #leaseSeconds: number;
  #renewal: NodeJS.Timeout | undefined;
  #lost = false;

  constructor(client: Client, leaseSeconds = 15) {
    this.#client = client;
    this.#leaseSeconds = leaseSeconds;
  }

  /** True when this process now holds the lock. */
  async acquire(): Promise<boolean> {
    const rs = await this.#client.execute(
      `INSERT INTO schema_migration_lock (id, owner, acquired_at) VALUES (?, ?, toTimestamp(now())) IF NOT EXISTS USING TTL ${this.#leaseSeconds}`,
      [LOCK_ID, this.#owner],
    );
    if (!rs.wasApplied()) return false;
    this.#renewal = setInterval(() => void this.#renew(), (this.#leaseSeconds * 1000) / 3);
    this.#renewal.unref();
    return true;
  }

  /** Throws when the lease ran out under this process (it stalled): another may be migrating now. */
  check(): void {
    if (this.#lost)
      throw new MigrationError(`keyspace ${this.#client.keyspace}: the migration lock's lease ran out`);
  }

  async release(): Promise<void> {
    clearInterval(this.#renewal);
    await this.#client.execute("DELETE FROM schema_migration_lock WHERE id = ? IF owner = ?", [
      LOCK_ID,
      this.#owner,
    ]);
  }

  async #renew(): Promise<void> {
    const rs = await this.#client
      .execute(
        `UPDATE schema_migration_lock USING TTL ${this.#leaseSeconds} SET owner = ?, acquired_at = toTimestamp(now()) WHERE id = ? IF owner = ?`,
        [this.#owner, LOCK_ID, this.#owner],
      )
      .catch(() => undefined);
    // A failed renewal is retried on the next tick; only a lease held by another owner is lost.
    if (rs && !rs.wasApplied()) this.#lost = true;
  }
}

function checksum(m: Migration): string {
  return createHash("sha256").update(m.statements.join("\n;\n")).digest("hex").slice(0, 16);
}

function checkOrder(migrations: Migration[]): void {
  migrations.forEach((m, i) => {
    const previous = migrations[i - 1];
    if (!Number.isInteger(m.version) || m.version < 1 || (previous && m.version <= previous.version)) {
      throw new MigrationError(
        `migration versions must be positive integers in increasing order (at ${m.name})`,
      );
    }
  });
}

async function appliedChecksums(client: Client): Promise<Map<number, string>> {
  const rs = await client.execute("SELECT version, checksum FROM schema_migrations");
  return new Map(rs.rows.map((r) => [r.version as number, r.checksum as string]));
}

/**
 * Applies pending migrations exactly once, even when several processes start
 * together: a lightweight-transaction lock lets one of them migrate while the
 * others wait and then find nothing left to do. Applied versions are recorded
 * with a checksum, so an edited migration stops the start instead of silently
 * diverging.
 */
export async function applyMigrations(
  client: Client,
  migrations: Migration[],
  log: Logger,
  { waitMs = 120_000, leaseSeconds = 15 }: MigrateOptions = {},
): Promise<number[]> {
  checkOrder(migrations);
  await client.execute(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, name text, checksum text, applied_at timestamp)",
  );
  await client.execute(
    "CREATE TABLE IF NOT EXISTS schema_migration_lock (id text PRIMARY KEY, owner text, acquired_at timestamp)",
  );
  const deadline = Date.now() + waitMs;
  let backoffMs = 50;
  for (;;) {
    const pending = await pendingMigrations(client, migrations);
    if (pending.length === 0) return [];
    const lock = new MigrationLock(client, leaseSeconds);
    if (await lock.acquire()) {
      try {
        const applied: number[] = [];
        // Re-read under the lock: the previous holder may have finished just now.
        for (const m of await pendingMigrations(client, migrations)) {
          lock.check();
          log.info(
            { keyspace: client.keyspace, version: m.version, migration: m.name },
            "applying migration",
          );
          for (const statement of m.statements) await client.execute(statement);
          await client.execute(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, toTimestamp(now()))",
            [m.version, m.name, checksum(m)],
          );
          applied.push(m.version);
        }
        return applied;
      } finally {
        await lock.release();
      }
    }
    if (Date.now() > deadline) {
      throw new MigrationError(
        `keyspace ${client.keyspace}: another process has held the migration lock too long`,
      );
    }
    // Another process is migrating: back off and look again.
    await new Promise((resolve) => setTimeout(resolve, backoffMs));
    backoffMs = Math.min(backoffMs * 2, 1_000);
  }
}

async function pendingMigrations(client: Client, migrations: Migration[]): Promise<Migration[]> {
  const applied = await appliedChecksums(client);
  for (const m of migrations) {
    const recorded = applied.get(m.version);
    if (recorded !== undefined && recorded !== checksum(m)) {
      throw new MigrationError(
        `keyspace ${client.keyspace}: migration ${m.version} (${m.name}) was changed after it was applied; add a new migration instead`,
      );
    }
  }
  return migrations.filter((m) => !applied.has(m.version));
}
