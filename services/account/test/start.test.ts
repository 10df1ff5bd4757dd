import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { CALLER_HEADER, ConfigError, encodeCaller } from "@marquee/kit";
import {
  AccountService,
  BillingCycle,
  PlanTier,
  SubscriptionState,
} from "@marquee/sdk/marquee/account/v1/account_service_pb";
import test from "ava";
import { startAccountService } from "../src/start.js";
import { member } from "./harness.js";

test("embedded mode serves over gRPC and keeps subscriptions across a restart", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-account-start-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const env = {
    MARQUEE_BACKENDS: "embedded",
    MARQUEE_EMBEDDED_DATA_DIR: dir,
    MARQUEE_ACCOUNT_PORT: "0",
    MARQUEE_LOG_LEVEL: "silent",
  };
  const userId = randomUUID();
  const as: Interceptor = (next) => (req) => {
    req.header.set(CALLER_HEADER, encodeCaller(member(userId)));
    return next(req);
  };
  const clientOf = (url: string) =>
    createClient(AccountService, createGrpcTransport({ baseUrl: url, interceptors: [as] }));

  const first = await startAccountService(env);
  const created = await clientOf(first.url).createSubscription({
    userId,
    tier: PlanTier.PREMIUM,
    billingCycle: BillingCycle.YEARLY,
    paymentToken: "tok_visa",
    idempotencyKey: `key-${randomUUID()}`,
  });
  t.is(created.invoice?.amount?.amountMinor, 22990n);
  await first.close();

  const second = await startAccountService(env);
  t.teardown(() => second.close());
  const details = await clientOf(second.url).getSubscriptionDetails({ userId });
  t.is(details.subscription?.state, SubscriptionState.ACTIVE);
  t.is(details.subscription?.subscriptionId, created.subscription?.subscriptionId);
});

test("a bad setting stops the start, naming the variable", async (t) => {
  const err = await t.throwsAsync(
    startAccountService({ MARQUEE_ACCOUNT_LOCK_WAIT_MS: "soon", MARQUEE_LOG_LEVEL: "silent" }),
    { instanceOf: ConfigError },
  );
  t.regex(err.message, /MARQUEE_ACCOUNT_LOCK_WAIT_MS/);
});
