import {
  contentServiceCatalog,
  createLogger,
  createServiceClient,
  envs,
  loadBackendsConfig,
  loadConfig,
  SERVICE_PORTS,
  type Server,
  serviceUrl,
  startService,
  type TitleCatalog,
} from "@marquee/kit";
import { openEventBus } from "@marquee/kit/bus";
import { openCassandra } from "@marquee/kit/cassandra";
import { embeddedDir } from "@marquee/kit/embedded";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { UserService } from "@marquee/sdk/marquee/user/v1/user_service_pb";
import { z } from "zod";
import { TokenIssuer } from "./auth/tokens.js";
import { USER_MIGRATIONS } from "./migrations.js";
import { startDeletionRelay } from "./outbox.js";
import { normaliseEmail } from "./rules.js";
import { userService } from "./service.js";
import type { UserStore } from "./store.js";
import { CassandraUserStore } from "./store-cassandra.js";
import { EmbeddedUserStore } from "./store-embedded.js";
import { Throttle } from "./throttle.js";

const count = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Reads the user service's own settings (the kit reads host, port, backends). */
export function loadUserConfig(env: Record<string, string | undefined>) {
  return loadConfig(
    {
      MARQUEE_LOG_LEVEL: envs.logLevel(),
      MARQUEE_USER_ACCESS_TOKEN_TTL_MS: envs.millis(15 * 60_000),
      MARQUEE_USER_REFRESH_TOKEN_TTL_MS: envs.millis(30 * 24 * 3_600_000),
      MARQUEE_USER_LOGIN_MAX_FAILURES_PER_ACCOUNT: count(5),
      MARQUEE_USER_LOGIN_MAX_FAILURES_PER_ADDRESS: count(20),
      MARQUEE_USER_LOGIN_WINDOW_MS: envs.millis(15 * 60_000),
      MARQUEE_USER_LOGIN_LOCKOUT_MS: envs.millis(30_000),
      MARQUEE_USER_OUTBOX_INTERVAL_MS: envs.millis(30_000),
      /**
       * The operators: comma-separated e-mail addresses whose access tokens carry the operator
       * role (the QoE view). Only this setting grants it; a member signs in again to pick it up.
       */
      MARQUEE_OPERATOR_EMAILS: z
        .string()
        .default("")
        .transform(
          (list) =>
            new Set(
              list
                .split(",")
                .map(normaliseEmail)
                .filter((e) => e !== ""),
            ),
        ),
      MARQUEE_USER_KEYSPACE: z
        .string()
        .regex(/^[a-z][a-z0-9_]{0,47}$/)
        .default("marquee_user"),
    },
    env,
  );
}

/** The store the backends configuration asks for. */
export async function openUserStore(
  backends: ReturnType<typeof loadBackendsConfig>,
  log: ReturnType<typeof createLogger>,
  keyspace = "marquee_user",
): Promise<UserStore> {
  if (backends.mode === "embedded") return EmbeddedUserStore.open(embeddedDir(backends, "user"));
  const client = await openCassandra({
    config: backends.cassandra,
    keyspace,
    migrations: USER_MIGRATIONS,
    log,
  });
  return new CassandraUserStore(client);
}

/** Wires the user service from the environment and serves it; tests may hand in the catalog. */
export async function startUserService(
  env: Record<string, string | undefined> = process.env,
  overrides: { catalog?: TitleCatalog } = {},
): Promise<Server> {
  const config = loadUserConfig(env);
  const backends = loadBackendsConfig(env);
  const log = createLogger("user", config.MARQUEE_LOG_LEVEL);
  const store = await openUserStore(backends, log, config.MARQUEE_USER_KEYSPACE);
  const bus = await openEventBus(backends, "user", log);
  const relay = startDeletionRelay(store, bus, log, config.MARQUEE_USER_OUTBOX_INTERVAL_MS);
  const lockout = {
    windowMs: config.MARQUEE_USER_LOGIN_WINDOW_MS,
    lockoutMs: config.MARQUEE_USER_LOGIN_LOCKOUT_MS,
    maxLockoutMs: 15 * 60_000,
  };
  try {
    const impl = userService({
      store,
      bus,
      log,
      catalog:
        overrides.catalog ??
        contentServiceCatalog(createServiceClient(ContentService, serviceUrl("content", env))),
      tokens: await TokenIssuer.open(store, config.MARQUEE_USER_ACCESS_TOKEN_TTL_MS),
      refreshTtlMs: config.MARQUEE_USER_REFRESH_TOKEN_TTL_MS,
      accountThrottle: new Throttle({
        ...lockout,
        limit: config.MARQUEE_USER_LOGIN_MAX_FAILURES_PER_ACCOUNT,
      }),
      addressThrottle: new Throttle({
        ...lockout,
        limit: config.MARQUEE_USER_LOGIN_MAX_FAILURES_PER_ADDRESS,
      }),
      pinThrottle: new Throttle({ ...lockout, limit: 5 }),
      operatorEmails: config.MARQUEE_OPERATOR_EMAILS,
    });
    const server = await startService(
      {
        name: "user",
        services: [UserService],
        defaultPort: SERVICE_PORTS.user,
        routes: (r) => r.service(UserService, impl),
      },
      env,
    );
    return {
      ...server,
      async close() {
        await server.close();
        await relay.stop();
        await bus.close();
        await store.close();
      },
    };
  } catch (err) {
    await relay.stop();
    await bus.close();
    await store.close();
    throw err;
  }
}
