import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter } from "@connectrpc/connect";
import { loadAdminAddress } from "./admin.js";
import { envs, loadConfig } from "./config.js";
import { requestLimit, requestLimitVars } from "./input/limits.js";
import { createLogger } from "./logger.js";
import { type ServeOptions, type Server, serve } from "./server.js";

export interface ServiceSpec {
  /** Short name, e.g. "user": names the logger and the MARQUEE_<NAME>_HOST/PORT variables. */
  name: string;
  services: DescService[];
  defaultPort: number;
  routes: (router: ConnectRouter) => void;
  /** Plain HTTP requests that are not RPCs (e.g. the content service's artwork). */
  fallback?: ServeOptions["fallback"];
}

/**
 * Reads MARQUEE_<NAME>_HOST, MARQUEE_<NAME>_PORT, MARQUEE_<NAME>_ADMIN_HOST/_PORT (metrics),
 * MARQUEE_LOG_LEVEL and the request limits, and serves the service.
 */
export async function startService(
  spec: ServiceSpec,
  env: Record<string, string | undefined>,
): Promise<Server> {
  const prefix = `MARQUEE_${spec.name.toUpperCase()}`;
  const config = loadConfig(
    {
      [`${prefix}_HOST`]: envs.host(),
      [`${prefix}_PORT`]: envs.port(spec.defaultPort),
      MARQUEE_LOG_LEVEL: envs.logLevel(),
      MARQUEE_DRAIN_TIMEOUT_MS: envs.millis(10_000),
      ...requestLimitVars,
    },
    env,
  );
  const log = createLogger(spec.name, config.MARQUEE_LOG_LEVEL);
  const port = (config as Record<string, unknown>)[`${prefix}_PORT`] as number;
  return serve({
    name: spec.name,
    services: spec.services,
    routes: spec.routes,
    host: (config as Record<string, unknown>)[`${prefix}_HOST`] as string,
    port,
    admin: loadAdminAddress(spec.name, port, env),
    drainTimeoutMs: config.MARQUEE_DRAIN_TIMEOUT_MS,
    requestLimit: requestLimit(config),
    log,
    fallback: spec.fallback,
  });
}
