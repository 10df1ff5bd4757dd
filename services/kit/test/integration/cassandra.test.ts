import { randomBytes } from "node:crypto";
import { createLogger, loadBackendsConfig } from "@marquee/kit";
import {
  applyMigrations,
  type Migration,
  MigrationError,
  MigrationLock,
  openCassandra,
} from "@marquee/kit/cassandra";
import test from "ava";
import { Client } from "cassandra-driver";

const config = loadBackendsConfig().cassandra;
const log = createLogger("test", "silent");
const keyspaces: string[] = [];

function freshKeyspace(): string {
  const name = `marquee_test_${randomBytes(4).toString("hex")}`;
  keyspaces.push(name);
  return name;
}

// Not idempotent on purpose: a second application would add a second row.
const migrations: Migration[] = [
  {
    version: 1,
    name: "probe table",
    statements: ["CREATE TABLE IF NOT EXISTS probe (id timeuuid PRIMARY KEY, note text)"],
  },
  { version: 2, name: "probe row", statements: ["INSERT INTO probe (id, note) VALUES (now(), 'applied')"] },
];

test.after.always(async () => {
  const admin = new Client({ contactPoints: config.contactPoints, localDataCenter: config.localDataCenter });
  await admin.connect();
  for (const ks of keyspaces) await admin.execute(`DROP KEYSPACE IF EXISTS ${ks}`);
  await admin.shutdown();
});

test("creates the keyspace and applies migrations once, recording each version", async (t) => {
  const keyspace = freshKeyspace();
  const first = await openCassandra({ config, keyspace, migrations, log });
  const rows = (await first.execute("SELECT note FROM probe")).rows;
  t.deepEqual(
    rows.map((r) => r.note),
    ["applied"],
  );
  const versions = (await first.execute("SELECT version FROM schema_migrations")).rows.map((r) => r.version);
  t.deepEqual(versions.sort(), [1, 2]);
  await first.shutdown();

  const again = await openCassandra({ config, keyspace, migrations, log });
  t.is((await again.execute("SELECT note FROM probe")).rowLength, 1, "a second start applies nothing");
  await again.shutdown();
});

test("processes starting together apply each migration exactly once", async (t) => {
  const keyspace = freshKeyspace();
  // Create the keyspace and bookkeeping tables first, as a deployment's first process would.
  const setup = await openCassandra({ config, keyspace, migrations: [], log });
  await setup.shutdown();
  const clients = await Promise.all(
    Array.from({ length: 4 }, () => openCassandra({ config, keyspace, migrations, log })),
  );
  const first = clients[0] as Client;
  t.is((await first.execute("SELECT note FROM probe")).rowLength, 1);
  await Promise.all(clients.map((c) => c.shutdown()));
});

test("a migration edited after it was applied stops the start", async (t) => {
  const keyspace = freshKeyspace();
  const client = await openCassandra({ config, keyspace, migrations, log });
  await client.shutdown();
  const edited = migrations.map((m) =>
    m.version === 2 ? { ...m, statements: ["INSERT INTO probe (id, note) VALUES (now(), 'edited')"] } : m,
  );
  const err = await t.throwsAsync(openCassandra({ config, keyspace, migrations: edited, log }), {
    instanceOf: MigrationError,
  });
  t.regex(err.message, /migration 2 \(probe row\) was changed after it was applied/);
});

test("migrations out of order are refused before anything runs", async (t) => {
  const keyspace = freshKeyspace();
  const reversed = [...migrations].reverse();
  await t.throwsAsync(openCassandra({ config, keyspace, migrations: reversed, log }), {
    instanceOf: MigrationError,
  });
});

/** A keyspace with its bookkeeping tables and nothing applied, as a deployment's first process leaves it. */
async function emptyKeyspace(): Promise<Client> {
  const keyspace = freshKeyspace();
  return openCassandra({ config, keyspace, migrations: [], log });
}

test("a lock left by a migrator that died is free once its lease runs out", async (t) => {
  const client = await emptyKeyspace();
  t.teardown(() => client.shutdown());
  // What a process killed mid-migration leaves behind: its lease, never renewed again.
  await client.execute(
    "INSERT INTO schema_migration_lock (id, owner, acquired_at) VALUES ('migrate', 'killed', toTimestamp(now())) USING TTL 2",
  );
  const applied = await applyMigrations(client, migrations, log, { leaseSeconds: 2, waitMs: 30_000 });
  t.deepEqual(applied, [1, 2]);
  t.is((await client.execute("SELECT note FROM probe")).rowLength, 1);
});

test("a live migrator renews its lease, so nobody else migrates until it lets go", async (t) => {
  const client = await emptyKeyspace();
  t.teardown(() => client.shutdown());
  // Cassandra counts TTLs in whole seconds, so a 1 s lease may lapse at once: 2 s is the shortest.
  const holder = new MigrationLock(client, 2);
  t.true(await holder.acquire());
  // Three and a half leases long: without renewal the lock would have lapsed three times.
  const err = await t.throwsAsync(
    applyMigrations(client, migrations, log, { leaseSeconds: 2, waitMs: 7_000 }),
    { instanceOf: MigrationError },
  );
  t.regex(err.message, /held the migration lock too long/);
  holder.check();
  await holder.release();
  t.deepEqual(await applyMigrations(client, migrations, log, { leaseSeconds: 2 }), [1, 2]);
  t.is((await client.execute("SELECT note FROM probe")).rowLength, 1);
});
