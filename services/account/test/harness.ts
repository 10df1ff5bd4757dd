import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { CALLER_HEADER, type Caller, createLogger, encodeCaller, type Server, serve } from "@marquee/kit";
import type { EventBus, Subscription } from "@marquee/kit/bus";
import { EmbeddedBus } from "@marquee/kit/embedded";
import { AccountService } from "@marquee/sdk/marquee/account/v1/account_service_pb";
import { Billing } from "../src/billing.js";
import { ManualClock } from "../src/clock.js";
import { busSubscriptionEvents, consumeUserDeleted } from "../src/events.js";
import { SimulatedPaymentProvider } from "../src/payments.js";
import { accountService } from "../src/service.js";
import type { AccountStore } from "../src/store.js";
import { openEmbeddedAccountStore } from "../src/store-embedded.js";
import { T0 } from "./fixtures.js";

export const log = createLogger("test", "silent");

export interface Harness {
  store: AccountStore;
  bus: EventBus;
  clock: ManualClock;
  payments: SimulatedPaymentProvider;
  billing: Billing;
  server: Server;
  /** A client calling as this caller (anonymous when omitted). */
  client(caller?: Caller): Client<typeof AccountService>;
  close(): Promise<void>;
}

export const member = (userId: string): Caller => ({ kind: "member", userId, scopes: [] });
export const internal: Caller = { kind: "internal", service: "streaming", scopes: [] };

/** The account service on a real server (port 0) over the given store and bus, with a manual clock. */
export async function startHarness(
  store: AccountStore,
  bus: EventBus,
  clock = new ManualClock(T0),
  payments = new SimulatedPaymentProvider(),
): Promise<Harness> {
  const billing = new Billing({ store, payments, clock, events: busSubscriptionEvents(bus), log });
  const erasure: Subscription = await consumeUserDeleted(bus, billing, log);
  const server = await serve({
    name: "account-test",
    services: [AccountService],
    routes: (r) => r.service(AccountService, accountService(billing)),
    port: 0,
    host: "127.0.0.1",
    log,
  });
  return {
    store,
    bus,
    clock,
    payments,
    billing,
    server,
    client(caller) {
      const as: Interceptor = (next) => (req) => {
        if (caller !== undefined) req.header.set(CALLER_HEADER, encodeCaller(caller));
        return next(req);
      };
      return createClient(
        AccountService,
        createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors: [as] }),
      );
    },
    async close() {
      await server.close();
      await erasure.stop();
      await bus.close();
      await store.close();
    },
  };
}

/** A harness on the embedded store and bus in a fresh directory, removed on close. */
export async function startEmbeddedHarness(): Promise<Harness> {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-account-svc-"));
  const store = await openEmbeddedAccountStore(path.join(dir, "account"));
  const bus = await EmbeddedBus.open(path.join(dir, "bus"), log);
  const h = await startHarness(store, bus);
  return {
    ...h,
    async close() {
      await h.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
