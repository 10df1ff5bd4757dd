import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { startAccountService } from "@marquee/account";
import type { Server } from "@marquee/kit";
import { waitFor } from "@marquee/kit/testing";
import {
  AccountService,
  BillingCycle,
  PlanTier,
  SubscriptionState,
} from "@marquee/sdk/marquee/account/v1/account_service_pb";
import { UserService } from "@marquee/sdk/marquee/user/v1/user_service_pb";
import { startUserService } from "@marquee/user";
import test from "ava";
import { Client as Cassandra } from "cassandra-driver";
import { startGateway } from "../../src/start.js";

/**
 * The whole member lifecycle across the User and Account services, over the
 * gateway, on the real Cassandra and JetStream: register → login → profile →
 * subscribe → upgrade → invoices → cancel → delete, after which no row of the
 * member is left in either keyspace.
 */
const env = {
  MARQUEE_BACKENDS: "external",
  MARQUEE_LOG_LEVEL: "error",
  MARQUEE_USER_PORT: "0",
  MARQUEE_ACCOUNT_PORT: "0",
};
const servers: Server[] = [];
let gatewayUrl = "";

test.before(async () => {
  const user = await startUserService(env);
  const account = await startAccountService(env);
  servers.push(user, account);
  const gateway = await startGateway({
    ...env,
    MARQUEE_GATEWAY_PORT: "0",
    MARQUEE_USER_URL: user.url,
    MARQUEE_ACCOUNT_URL: account.url,
  });
  servers.unshift(gateway);
  gatewayUrl = gateway.url;
});

test.after.always(async () => {
  for (const server of servers) await server.close();
});

const must = <T>(value: T | undefined): T => {
  if (value === undefined) throw new Error("expected a value");
  return value;
};

/** Every row of every table of a keyspace that mentions the id anywhere. */
async function rowsMentioning(keyspace: string, id: string): Promise<string[]> {
  const db = new Cassandra({ contactPoints: ["127.0.0.1:9042"], localDataCenter: "datacenter1" });
  try {
    const tables = await db.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", [
      keyspace,
    ]);
    const found: string[] = [];
    for (const { table_name: table } of tables.rows) {
      const all = await db.execute(`SELECT * FROM ${keyspace}.${table}`, [], {
        prepare: false,
        fetchSize: 100_000,
      });
      for (const row of all.rows) {
        const text = JSON.stringify(row, (_k, v) => (typeof v === "bigint" ? String(v) : v));
        if (text.includes(id)) found.push(`${keyspace}.${table}: ${text.slice(0, 120)}`);
      }
    }
    return found;
  } finally {
    await db.shutdown();
  }
}

test("register → login → profile → subscribe → upgrade → invoices → cancel → delete leaves nothing behind", async (t) => {
  const transport = createConnectTransport({ baseUrl: gatewayUrl, httpVersion: "1.1" });
  const users = createClient(UserService, transport);
  const accounts = createClient(AccountService, transport);
  const email = `member.${Date.now()}@example.com`;
  const password = "a long enough password";
  const userId = must(
    (await users.registerUser({ email, password, name: "Mia", dateOfBirth: "1991-03-04", country: "SE" }))
      .user,
  ).userId;
  const tokens = must((await users.login({ email, password, deviceName: "laptop" })).tokens);
  const auth = { headers: { authorization: `Bearer ${tokens.accessToken}` } };
  must((await users.createProfile({ userId, name: "Mia" }, auth)).profile);

  const plans = (await accounts.listPlans({})).plans;
  t.deepEqual(
    plans.map((p) => p.tier),
    [PlanTier.BASIC, PlanTier.STANDARD, PlanTier.PREMIUM],
  );

  const created = await accounts.createSubscription(
    {
      userId,
      tier: PlanTier.STANDARD,
      billingCycle: BillingCycle.MONTHLY,
      paymentToken: "tok_visa",
      idempotencyKey: `create-${userId}`,
    },
    auth,
  );
  t.is(created.subscription?.state, SubscriptionState.ACTIVE);
  const upgraded = await accounts.updateSubscription(
    { userId, tier: PlanTier.PREMIUM, idempotencyKey: `upgrade-${userId}` },
    auth,
  );
  t.is(upgraded.subscription?.tier, PlanTier.PREMIUM);
  t.true((upgraded.invoice?.amount?.amountMinor ?? 0n) > 0n, "an upgrade is charged at once, prorated");

  const first = await accounts.getBillingHistory({ userId, pageSize: 1 }, auth);
  const second = await accounts.getBillingHistory(
    { userId, pageSize: 1, pageToken: first.nextPageToken },
    auth,
  );
  t.is(first.invoices.length + second.invoices.length, 2);
  t.not(first.invoices[0]?.invoiceId, second.invoices[0]?.invoiceId);

  const cancelled = await accounts.cancelSubscription({ userId }, auth);
  t.is(cancelled.subscription?.state, SubscriptionState.CANCELLED);

  // Another member cannot see this subscription.
  const otherEmail = `other.${Date.now()}@example.com`;
  await users.registerUser({
    email: otherEmail,
    password,
    name: "Ola",
    dateOfBirth: "1980-01-01",
    country: "NO",
  });
  const other = must((await users.login({ email: otherEmail, password })).tokens);
  const refused = await accounts
    .getSubscriptionDetails({ userId }, { headers: { authorization: `Bearer ${other.accessToken}` } })
    .then(
      () => "ok",
      (e) => ConnectError.from(e).code,
    );
  t.is(refused, Code.PermissionDenied);

  await users.deleteUser({ userId, password }, auth);
  const leftovers = await waitFor(
    "the member's rows to be erased from both keyspaces",
    async () => {
      const rows = [
        ...(await rowsMentioning("marquee_user", userId)),
        ...(await rowsMentioning("marquee_account", userId)),
      ];
      return rows.length === 0 ? rows : false;
    },
    60_000,
  );
  t.deepEqual(leftovers, []);
});
