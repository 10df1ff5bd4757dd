import { randomBytes } from "node:crypto";
import { createLogger, loadBackendsConfig } from "@marquee/kit";
import { openCassandra } from "@marquee/kit/cassandra";
import test from "ava";
import { Client } from "cassandra-driver";
import { ACCOUNT_MIGRATIONS } from "../../src/migrations.js";
import type { AccountStore } from "../../src/store.js";
import { createCassandraAccountStore } from "../../src/store-cassandra.js";
import { accountStoreContract } from "../store-contract.js";

const config = loadBackendsConfig().cassandra;
const log = createLogger("test", "silent");
// One fresh keyspace per run, dropped after.
const keyspace = `marquee_account_test_${randomBytes(4).toString("hex")}`;
const stores: AccountStore[] = [];

const openStore = async () => {
  const store = createCassandraAccountStore(
    await openCassandra({ config, keyspace, migrations: ACCOUNT_MIGRATIONS, log }),
  );
  stores.push(store);
  return store;
};

test.after.always(async () => {
  for (const s of stores) await s.close();
  const admin = new Client({ contactPoints: config.contactPoints, localDataCenter: config.localDataCenter });
  await admin.connect();
  await admin.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await admin.shutdown();
});

accountStoreContract(test, async () => ({ store: await openStore(), sibling: openStore }));
