import {
  createLogger,
  envs,
  loadBackendsConfig,
  loadConfig,
  SERVICE_PORTS,
  type Server,
  startService,
} from "@marquee/kit";
import { openEventBus } from "@marquee/kit/bus";
import { openCassandra } from "@marquee/kit/cassandra";
import { embeddedDir } from "@marquee/kit/embedded";
import { AccountService } from "@marquee/sdk/marquee/account/v1/account_service_pb";
import { Billing } from "./billing.js";
import { type Clock, systemClock } from "./clock.js";
import { busSubscriptionEvents, consumeUserDeleted } from "./events.js";
import { ACCOUNT_MIGRATIONS } from "./migrations.js";
import { type PaymentProvider, SimulatedPaymentProvider } from "./payments.js";
import { accountService } from "./service.js";
import type { AccountStore } from "./store.js";
import { createCassandraAccountStore } from "./store-cassandra.js";
import { openEmbeddedAccountStore } from "./store-embedded.js";

export const ACCOUNT_KEYSPACE = "marquee_account";

/** Replaceable parts, for tests and benchmarks; the environment decides the rest. */
export interface AccountOverrides {
  clock?: Clock;
  payments?: PaymentProvider;
}

/**
 * Wires the account service from the environment and serves it: the store
 * MARQUEE_BACKENDS asks for (embedded under data/account, or Cassandra
 * keyspace marquee_account), the event bus, the simulated payment provider,
 * the user.deleted consumer.
 */
export async function startAccountService(
  env: Record<string, string | undefined> = process.env,
  overrides: AccountOverrides = {},
): Promise<Server> {
  const config = loadConfig(
    { MARQUEE_LOG_LEVEL: envs.logLevel(), MARQUEE_ACCOUNT_LOCK_WAIT_MS: envs.millis(10_000) },
    env,
  );
  const backends = loadBackendsConfig(env);
  const log = createLogger("account", config.MARQUEE_LOG_LEVEL);
  const store: AccountStore =
    backends.mode === "external"
      ? createCassandraAccountStore(
          await openCassandra({
            config: backends.cassandra,
            keyspace: ACCOUNT_KEYSPACE,
            migrations: ACCOUNT_MIGRATIONS,
            log,
          }),
        )
      : await openEmbeddedAccountStore(embeddedDir(backends, "account"));
  const closers: Array<() => Promise<void>> = [() => store.close()];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close();
  };
  try {
    const bus = await openEventBus(backends, "account", log);
    closers.push(() => bus.close());
    const billing = new Billing({
      store,
      payments: overrides.payments ?? new SimulatedPaymentProvider(),
      clock: overrides.clock ?? systemClock,
      events: busSubscriptionEvents(bus),
      log,
      lockWaitMs: config.MARQUEE_ACCOUNT_LOCK_WAIT_MS,
    });
    const erasure = await consumeUserDeleted(bus, billing, log);
    closers.push(() => erasure.stop());
    const server = await startService(
      {
        name: "account",
        services: [AccountService],
        defaultPort: SERVICE_PORTS.account,
        routes: (r) => r.service(AccountService, accountService(billing)),
      },
      env,
    );
    return {
      ...server,
      async close() {
        await server.close();
        await closeAll();
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
