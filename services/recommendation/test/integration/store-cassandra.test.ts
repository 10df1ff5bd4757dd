import { randomBytes } from "node:crypto";
import { createLogger, loadBackendsConfig } from "@marquee/kit";
import test from "ava";
import { Client } from "cassandra-driver";
import { openCassandraStore } from "../../src/store-cassandra.js";
import { tasteStoreContract } from "../store-contract.js";

const config = loadBackendsConfig().cassandra;
const log = createLogger("test", "silent");
// One fresh keyspace per run, dropped after.
const keyspace = `marquee_test_reco_${randomBytes(4).toString("hex")}`;

test.after.always(async () => {
  const admin = new Client({ contactPoints: config.contactPoints, localDataCenter: config.localDataCenter });
  await admin.connect();
  await admin.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await admin.shutdown();
});

tasteStoreContract(test, () => openCassandraStore({ config, keyspace, log }));
