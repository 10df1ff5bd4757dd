import { randomBytes } from "node:crypto";
import { fromBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { createLogger, loadBackendsConfig } from "@marquee/kit";
import { openEventBus } from "@marquee/kit/bus";
import { waitFor } from "@marquee/kit/testing";
import { UserDeletedSchema } from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import test from "ava";
import { Client } from "cassandra-driver";
import { as, newMember, PASSWORD, startTestUserService } from "../fixtures.js";

/**
 * The user service on the real backends: Cassandra (a fresh keyspace, dropped
 * after) and NATS JetStream.
 */
const keyspace = `marquee_user_t${randomBytes(4).toString("hex")}`;
const backends = loadBackendsConfig({ ...process.env, MARQUEE_BACKENDS: "external" });
let svc: Awaited<ReturnType<typeof startTestUserService>>;

test.before(async () => {
  svc = await startTestUserService({ MARQUEE_BACKENDS: "external", MARQUEE_USER_KEYSPACE: keyspace });
});

test.after.always(async () => {
  await svc?.close();
  const admin = new Client({
    contactPoints: backends.cassandra.contactPoints,
    localDataCenter: backends.cassandra.localDataCenter,
  });
  await admin.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await admin.shutdown();
});

test.serial("simultaneous registrations with one e-mail: exactly one succeeds (Cassandra LWT)", async (t) => {
  const reg = newMember();
  const results = await Promise.allSettled(Array.from({ length: 6 }, () => svc.client.registerUser(reg)));
  t.is(results.filter((r) => r.status === "fulfilled").length, 1);
  for (const r of results)
    if (r.status === "rejected") t.is(ConnectError.from(r.reason).code, Code.AlreadyExists);
});

test.serial(
  "deletion publishes user.deleted on JetStream and leaves no row of the member in any table",
  async (t) => {
    const reg = newMember();
    const { user } = await svc.client.registerUser(reg);
    const userId = user?.userId ?? "";
    const me = as({ kind: "member", userId });
    const profile = (await svc.client.createProfile({ userId, name: "Mine", pin: "1234" }, me)).profile;
    const login = await svc.client.login({ email: reg.email, password: PASSWORD, deviceName: "tv" });

    const bus = await openEventBus(backends, "user-test", createLogger("test", "silent"));
    t.teardown(() => bus.close());
    const seen: string[][] = [];
    const sub = await bus.consume({
      stream: "DOMAIN",
      durable: `user-test-${randomBytes(4).toString("hex")}`,
      filter: "user.deleted",
      handler: async (e) => {
        const event = fromBinary(UserDeletedSchema, e.data);
        if (event.userId === userId) seen.push(event.profileIds);
      },
    });
    t.teardown(() => sub.stop());

    await svc.client.deleteUser({ userId, password: PASSWORD }, me);
    await waitFor("user.deleted", () => seen.length > 0, 15_000);
    t.deepEqual(seen[0], [profile?.profileId]);

    const client = new Client({
      contactPoints: backends.cassandra.contactPoints,
      localDataCenter: backends.cassandra.localDataCenter,
      keyspace,
    });
    t.teardown(() => client.shutdown());
    const tables = await client.execute(
      "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?",
      [keyspace],
    );
    t.true(tables.rows.length >= 7);
    const needles = [userId, reg.email, profile?.profileId ?? "?", login.tokens?.sessionId ?? "?"];
    for (const { table_name } of tables.rows) {
      const rs = await client.execute(`SELECT * FROM ${table_name as string}`);
      for (const row of rs.rows) {
        const text = Object.values(row)
          .map((v) => (Array.isArray(v) ? v.map(String).join(",") : String(v)))
          .join("|");
        t.false(
          needles.some((n) => text.includes(n)),
          `${table_name}: ${text}`,
        );
      }
    }
  },
);
