// `@marquee/kit`: server, interceptors, config, logs, health, errors, and the small mechanisms every
// service shares (keyed lock, serial queue, seeded random) — no database or bus driver.
// Drivers come by subpath: `/bus`, `/bus/jetstream`, `/cassandra`, `/opensearch`, `/embedded`, `/testing`.
export { type AdminAddress, loadAdminAddress } from "./admin.js";
export {
  callerOf,
  OPERATOR_ROLE,
  requireInternal,
  requireMember,
  requireOperator,
  requireProfile,
  requireScope,
  requireSelf,
} from "./authz.js";
export { type BackendsConfig, loadBackendsConfig } from "./backends-config.js";
export { callOptions } from "./call-options.js";
export { ANONYMOUS, CALLER_HEADER, type Caller, callerKey, decodeCaller, encodeCaller } from "./caller.js";
export { clientAddressKey } from "./client-address.js";
export { createServiceClient } from "./clients.js";
export { ConfigError, envs, loadConfig } from "./config.js";
export {
  DEMO_POOL_SECONDS,
  DEMO_POOL_SIZE,
  type DemoPoolMedia,
  demoPoolAssetId,
  demoPoolMedia,
} from "./demo-pool.js";
export {
  type Dependency,
  DependencyError,
  dependencyVars,
  waitForDependency,
} from "./dependencies.js";
export { CLIENT_IP_HEADER, COUNTRY_HEADER, SESSION_HEADER } from "./gateway-headers.js";
export { grpcContentType, grpcStatusHeaders, respondStatusOnly } from "./grpc-status-only.js";
export { HealthState, ServingStatus } from "./health.js";
export {
  defaultRequestLimit,
  type RequestLimit,
  requestLimit,
  requestLimitVars,
} from "./input/limits.js";
export { codeName, type InFlight } from "./interceptors/observe.js";
export { validateMessage } from "./interceptors/validation.js";
export { KeyedLock, LockTimeoutError } from "./keyed-lock.js";
export {
  createLogger,
  type Logger,
  logSettings,
  retryFields,
  rpcLogLevel,
  setTerminalWriter,
} from "./logger.js";
export type { RpcMetrics } from "./metrics.js";
export { decodePageToken, encodePageToken } from "./page-token.js";
export { runPeriodically } from "./periodic.js";
export { fnv1a, pick, seededRandom } from "./random.js";
export { REFLECTION_SERVICES, type ReflectionOptions } from "./reflection.js";
export { REQUEST_ID_HEADER, requestIdFrom, requestIdKey } from "./request-id.js";
export { SerialQueue } from "./serial-queue.js";
export { type Passthrough, SERVICE_MAX_TIMEOUT_MS, type ServeOptions, type Server, serve } from "./server.js";
export { runMain, runUntilSignal } from "./shutdown.js";
export { type ServiceSpec, startService } from "./start-service.js";
export { contentServiceCatalog, OPEN_CATALOG, type TitleCatalog } from "./title-catalog.js";
export {
  GATEWAY_PORT,
  SERVICE_NAMES,
  SERVICE_PORTS,
  type ServiceName,
  serviceUrl,
  WORKER_PORTS,
} from "./topology.js";
export { uuidV5 } from "./uuid.js";
