import { randomBytes } from "node:crypto";
import { createLogger, loadBackendsConfig } from "@marquee/kit";
import { openCassandra } from "@marquee/kit/cassandra";
import { Client } from "cassandra-driver";
import { migrations } from "../../src/migrations.js";

const config = loadBackendsConfig().cassandra;

/** A fresh random keyspace with the streaming migrations applied, and a function dropping it. */
export async function freshKeyspace(): Promise<{ client: Client; drop: () => Promise<void> }> {
  const keyspace = `marquee_test_streaming_${randomBytes(4).toString("hex")}`;
  const client = await openCassandra({ config, keyspace, migrations, log: createLogger("test", "silent") });
  return {
    client,
    async drop() {
      await client.shutdown();
      const admin = new Client({
        contactPoints: config.contactPoints,
        localDataCenter: config.localDataCenter,
      });
      await admin.connect();
      await admin.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
      await admin.shutdown();
    },
  };
}
