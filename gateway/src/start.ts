import type { DescService } from "@bufbuild/protobuf";
import {
  CALLER_HEADER,
  ConfigError,
  createLogger,
  encodeCaller,
  envs,
  GATEWAY_PORT,
  loadAdminAddress,
  loadConfig,
  requestLimit,
  requestLimitVars,
  SERVICE_MAX_TIMEOUT_MS,
  type ServeOptions,
  type Server,
  type ServiceName,
  serve,
} from "@marquee/kit";
import { UserService } from "@marquee/sdk/marquee/user/v1/user_service_pb";
import { z } from "zod";
import { hiddenFromClients } from "./access-table.js";
import { AccessTokenVerifier } from "./access-tokens.js";
import { authInterceptor, gatewayAuth } from "./auth.js";
import { balancedClient } from "./balanced-client.js";
import type { DeadlinePolicy } from "./deadlines.js";
import { forwardingService } from "./forward.js";
import { createFront } from "./front.js";
import { parsePartnerKeys } from "./partner-keys.js";
import { passthrough as bytePassthrough } from "./passthrough/relay.js";
import type { Replicas } from "./replicas.js";
import { UPSTREAM_SERVICES, upstreamReplicas, upstreamUrlVars } from "./upstreams.js";

/** Longest delay a Node timer holds (about 24.8 days); the Connect router sets one per deadline. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Wires the gateway from the environment and serves it. */
export async function startGateway(env: Record<string, string | undefined> = process.env): Promise<Server> {
  const config = loadConfig(
    {
      MARQUEE_GATEWAY_HOST: envs.host(),
      MARQUEE_GATEWAY_PORT: envs.port(GATEWAY_PORT),
      MARQUEE_GATEWAY_UPSTREAM_TIMEOUT_MS: envs.millis(15_000),
      MARQUEE_GATEWAY_MAX_TIMEOUT_MS: z.coerce
        .number()
        .int()
        .positive()
        .max(SERVICE_MAX_TIMEOUT_MS)
        .default(60_000),
      MARQUEE_LOG_LEVEL: envs.logLevel(),
      MARQUEE_DRAIN_TIMEOUT_MS: envs.millis(10_000),
      MARQUEE_PARTNER_API_KEYS: z.string().default(""),
      MARQUEE_GATEWAY_SESSION_CACHE_MS: z.coerce.number().int().min(0).default(2_000),
      MARQUEE_GATEWAY_JWKS_REFETCH_MS: z.coerce.number().int().min(0).default(5_000),
      MARQUEE_GATEWAY_TRUST_FORWARDED_FOR: envs.flag(false),
      ...requestLimitVars,
      ...upstreamUrlVars,
    },
    env,
  );
  let partnerKeys: ReturnType<typeof parsePartnerKeys>;
  try {
    partnerKeys = parsePartnerKeys(config.MARQUEE_PARTNER_API_KEYS);
  } catch (err) {
    throw new ConfigError(`invalid configuration:\n  MARQUEE_PARTNER_API_KEYS: ${(err as Error).message}`);
  }
  const deadlines: DeadlinePolicy = {
    defaultUnaryMs: config.MARQUEE_GATEWAY_UPSTREAM_TIMEOUT_MS,
    maxUnaryMs: config.MARQUEE_GATEWAY_MAX_TIMEOUT_MS,
  };
  if (deadlines.defaultUnaryMs > deadlines.maxUnaryMs)
    throw new ConfigError(
      `invalid configuration:\n  MARQUEE_GATEWAY_UPSTREAM_TIMEOUT_MS (${deadlines.defaultUnaryMs}) is longer than MARQUEE_GATEWAY_MAX_TIMEOUT_MS (${deadlines.maxUnaryMs})`,
    );
  const log = createLogger("gateway", config.MARQUEE_LOG_LEVEL);
  // Every path to a service (generic forwarder, byte pass-through, media) shares its replicas' health.
  const replicas = upstreamReplicas(config);
  const replicasOf = (name: string) => replicas.get(name as ServiceName) as Replicas;
  // The gateway's own calls to the user service speak as an internal service.
  const users = balancedClient(UserService, replicasOf("user"));
  const asGateway = () => ({
    timeoutMs: 5_000,
    headers: { [CALLER_HEADER]: encodeCaller({ kind: "internal", service: "gateway", scopes: [] }) },
  });
  const verifier = new AccessTokenVerifier({
    fetchJwks: async () => (await users.getSigningKeys({}, asGateway())).jwksJson,
    checkSession: async (sessionId, userId) =>
      (await users.checkSession({ sessionId, userId }, asGateway())).active,
    sessionCacheMs: config.MARQUEE_GATEWAY_SESSION_CACHE_MS,
    jwksRefetchMs: config.MARQUEE_GATEWAY_JWKS_REFETCH_MS,
  });
  const services = Object.entries(UPSTREAM_SERVICES) as [string, DescService][];
  const auth = gatewayAuth({
    verifier,
    partnerKeys,
    trustForwardedFor: config.MARQUEE_GATEWAY_TRUST_FORWARDED_FOR,
  });
  const limit = requestLimit(config);
  let passthrough: ReturnType<typeof bytePassthrough> | undefined;
  const server = await serve({
    name: "gateway",
    services: services.map(([, service]) => service),
    routes(router) {
      for (const [name, service] of services) {
        router.service(
          service,
          forwardingService(service, balancedClient(service, replicasOf(name)), deadlines),
        );
      }
    },
    host: config.MARQUEE_GATEWAY_HOST,
    port: config.MARQUEE_GATEWAY_PORT,
    admin: loadAdminAddress("gateway", config.MARQUEE_GATEWAY_PORT, env),
    // Any deadline a timer can hold is taken; the forwarders cap it (deadlines.ts), never refuse it.
    maxTimeoutMs: MAX_TIMER_MS,
    drainTimeoutMs: config.MARQUEE_DRAIN_TIMEOUT_MS,
    requestLimit: limit,
    interceptors: [authInterceptor(auth)],
    passthrough: (kit) => {
      passthrough = bytePassthrough({
        upstreams: new Map(services.map(([name, service]) => [service.typeName, replicasOf(name)])),
        services: services.map(([, service]) => service),
        auth,
        deadlines,
        requestLimit: limit,
        log,
        ...kit,
      });
      return passthrough.take;
    },
    // Browsers reach media and the app over HTTP/1.1 or TLS; the handlers speak Node's http API.
    fallback: createFront({
      streaming: replicasOf("streaming"),
      content: replicasOf("content"),
    }) as ServeOptions["fallback"],
    trustCallerHeader: false,
    validate: false,
    reflection: { hideMethod: hiddenFromClients },
    cors: true,
    log,
  });
  return {
    ...server,
    async close() {
      await server.close();
      passthrough?.close();
    },
  };
}
