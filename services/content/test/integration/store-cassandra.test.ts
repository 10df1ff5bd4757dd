import { randomBytes } from "node:crypto";
import { createLogger, loadBackendsConfig } from "@marquee/kit";
import test from "ava";
import { Client } from "cassandra-driver";
import { CassandraContentStore } from "../../src/store-cassandra.js";
import { CassandraTrendingStore } from "../../src/trending-store-cassandra.js";
import { contentStoreContract, trendingStoreContract } from "../store-contract.js";

const config = loadBackendsConfig().cassandra;
const log = createLogger("test", "silent");
const keyspaces: string[] = [];

/** A fresh keyspace per store, dropped after the run. */
function open(): Promise<CassandraContentStore> {
  const keyspace = `marquee_test_content_${randomBytes(4).toString("hex")}`;
  keyspaces.push(keyspace);
  return CassandraContentStore.open(config, log, keyspace);
}

test.after.always(async () => {
  const admin = new Client({ contactPoints: config.contactPoints, localDataCenter: config.localDataCenter });
  await admin.connect();
  for (const ks of keyspaces) await admin.execute(`DROP KEYSPACE IF EXISTS ${ks}`);
  await admin.shutdown();
});

contentStoreContract(test, open);
trendingStoreContract(test, async () => {
  const store = await open();
  const trending = new CassandraTrendingStore(store.client);
  return {
    recordView: (...args) => trending.recordView(...args),
    viewsSince: (...args) => trending.viewsSince(...args),
    close: () => store.close(),
  };
});
