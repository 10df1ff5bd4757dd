import type { DescService } from "@bufbuild/protobuf";
import {
  createLogger,
  createServiceClient,
  envs,
  GATEWAY_PORT,
  loadConfig,
  type Server,
  serve,
} from "@marquee/kit";
import { forwardingService } from "./forward.js";
import { UPSTREAM_SERVICES, upstreamUrlVars } from "./upstreams.js";

/** Wires the gateway from the environment and serves it. */
export function startGateway(env: Record<string, string | undefined> = process.env): Promise<Server> {
  const config = loadConfig(
    {
      MARQUEE_GATEWAY_HOST: envs.host(),
      MARQUEE_GATEWAY_PORT: envs.port(GATEWAY_PORT),
      MARQUEE_GATEWAY_UPSTREAM_TIMEOUT_MS: envs.millis(15_000),
      MARQUEE_LOG_LEVEL: envs.logLevel(),
      MARQUEE_DRAIN_TIMEOUT_MS: envs.millis(10_000),
      ...upstreamUrlVars,
    },
    env,
  );
  const log = createLogger("gateway", config.MARQUEE_LOG_LEVEL);
  const services = Object.entries(UPSTREAM_SERVICES) as [string, DescService][];
  return serve({
    name: "gateway",
    services: services.map(([, service]) => service),
    routes(router) {
      for (const [name, service] of services) {
        const url = (config as Record<string, unknown>)[`MARQUEE_${name.toUpperCase()}_URL`] as string;
        const upstream = createServiceClient(service, url);
        router.service(
          service,
          forwardingService(service, upstream, config.MARQUEE_GATEWAY_UPSTREAM_TIMEOUT_MS),
        );
      }
    },
    host: config.MARQUEE_GATEWAY_HOST,
    port: config.MARQUEE_GATEWAY_PORT,
    drainTimeoutMs: config.MARQUEE_DRAIN_TIMEOUT_MS,
    trustCallerHeader: false,
    validate: false,
    cors: true,
    log,
  });
}
