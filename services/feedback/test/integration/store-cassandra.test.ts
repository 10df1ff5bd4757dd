import { randomBytes } from "node:crypto";
import { createLogger, loadBackendsConfig } from "@marquee/kit";
import test from "ava";
import { Client } from "cassandra-driver";
import type { FeedbackStore } from "../../src/store.js";
import { openCassandraFeedbackStore } from "../../src/store-cassandra.js";
import { feedbackStoreContract } from "../store-contract.js";

const config = loadBackendsConfig().cassandra;
const log = createLogger("test", "silent");
// A fresh keyspace per run, dropped after.
const keyspace = `marquee_test_feedback_${randomBytes(4).toString("hex")}`;
let shared: Promise<FeedbackStore> | undefined;

test.after.always(async () => {
  if (shared) await (await shared).close();
  const admin = new Client({ contactPoints: config.contactPoints, localDataCenter: config.localDataCenter });
  await admin.connect();
  await admin.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await admin.shutdown();
});

feedbackStoreContract(test, () => {
  shared ??= openCassandraFeedbackStore({ config, keyspace, log });
  return shared;
});
