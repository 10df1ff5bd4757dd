import { randomBytes } from "node:crypto";
import { createLogger, loadBackendsConfig } from "@marquee/kit";
import { openCassandra } from "@marquee/kit/cassandra";
import test from "ava";
import { Client } from "cassandra-driver";
import { USER_MIGRATIONS } from "../../src/migrations.js";
import { CassandraUserStore } from "../../src/store-cassandra.js";
import { myListStoreContract } from "../my-list-contract.js";
import { type UserStoreFactory, userStoreContract } from "../store-contract.js";

// A fresh keyspace for this run, dropped after; every test uses its own ids.
const config = loadBackendsConfig({ MARQUEE_BACKENDS: "external", ...process.env }).cassandra;
const keyspace = `marquee_user_t${randomBytes(4).toString("hex")}`;
let opened: Promise<{ store: CassandraUserStore; client: Client }> | undefined;

function shared() {
  opened ??= (async () => {
    const client = await openCassandra({
      config,
      keyspace,
      migrations: USER_MIGRATIONS,
      log: createLogger("test", "silent"),
    });
    return { store: new CassandraUserStore(client), client };
  })();
  return opened;
}

/** Every row of every table of the keyspace, as text. */
async function rows(client: Client): Promise<string[]> {
  const tables = await client.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", [
    keyspace,
  ]);
  const out: string[] = [];
  for (const t of tables.rows) {
    const rs = await client.execute(`SELECT * FROM ${t.table_name as string}`, [], { prepare: false });
    for (const r of rs.rows) {
      out.push(
        `${t.table_name}: ${Object.values(r)
          .map((v) => (Array.isArray(v) ? v.map(String).join(",") : String(v)))
          .join("|")}`,
      );
    }
  }
  return out;
}

test.after.always(async () => {
  if (opened === undefined) return;
  const { store } = await opened;
  await store.close();
  const admin = new Client({ contactPoints: config.contactPoints, localDataCenter: config.localDataCenter });
  await admin.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await admin.shutdown();
});

const open: UserStoreFactory = async () => {
  const { store, client } = await shared();
  return { store, rows: () => rows(client) };
};

userStoreContract(test.serial as unknown as typeof test, open);
myListStoreContract(test.serial as unknown as typeof test, open);

test.serial("the keyspace holds exactly these tables, all of which the deletion test scans", async (t) => {
  const { client } = await shared();
  const tables = await client.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", [
    keyspace,
  ]);
  t.deepEqual(tables.rows.map((r) => r.table_name as string).sort(), [
    "my_list",
    "pending_deletions",
    "pending_profile_deletions",
    "profiles",
    "schema_migration_lock",
    "schema_migrations",
    "sessions",
    "sessions_by_user",
    "signing_keys",
    "users",
    "users_by_email",
  ]);
});
