export { type AdminAddress, loadAdminAddress } from "./admin.js";
export {
  callerOf,
  requireInternal,
  requireMember,
  requireProfile,
  requireScope,
  requireSelf,
} from "./authz.js";
export { type BackendsConfig, loadBackendsConfig } from "./backends-config.js";
export { EmbeddedBus } from "./bus/embedded-bus.js";
export {
  type BusEvent,
  type ConsumeOptions,
  type EventBus,
  type EventHandler,
  redeliveryDelayMs,
  STREAMS,
  type StreamName,
  type Subscription,
  streamOf,
  subjectMatches,
} from "./bus/event-bus.js";
export { createJetStreamBus, type JetStreamBusOptions } from "./bus/jetstream-bus.js";
export { openEventBus } from "./bus/open-bus.js";
export { callOptions } from "./call-options.js";
export { ANONYMOUS, CALLER_HEADER, type Caller, callerKey, decodeCaller, encodeCaller } from "./caller.js";
export { applyMigrations, type Migration, MigrationError } from "./cassandra/migrations.js";
export { type CassandraOptions, openCassandra } from "./cassandra/session.js";
export { clientAddressKey } from "./client-address.js";
export { createServiceClient } from "./clients.js";
export { ConfigError, envs, loadConfig } from "./config.js";
export { embeddedDir } from "./embedded-dir.js";
export { grpcContentType, grpcStatusHeaders, respondStatusOnly } from "./grpc-status-only.js";
export { HealthState, ServingStatus } from "./health.js";
export { codeName, type InFlight } from "./interceptors/observe.js";
export { validateMessage } from "./interceptors/validation.js";
export { createLogger, type Logger } from "./logger.js";
export type { RpcMetrics } from "./metrics.js";
export {
  type ConsumerDeclaration,
  connectNats,
  declareConsumer,
  declareStream,
  natsManager,
  type StreamDeclaration,
} from "./nats/jetstream.js";
export {
  aliasTargets,
  createNextGeneration,
  createSearchClient,
  ensureAliasedIndex,
  putIndexTemplate,
  type SearchClient,
  swapAlias,
} from "./opensearch/index.js";
export { decodePageToken, encodePageToken } from "./page-token.js";
export { runPeriodically } from "./periodic.js";
export { REQUEST_ID_HEADER, requestIdFrom, requestIdKey } from "./request-id.js";
export { type Passthrough, SERVICE_MAX_TIMEOUT_MS, type ServeOptions, type Server, serve } from "./server.js";
export { runMain, runUntilSignal } from "./shutdown.js";
export { type ServiceSpec, startService } from "./start-service.js";
export {
  GATEWAY_PORT,
  SERVICE_NAMES,
  SERVICE_PORTS,
  type ServiceName,
  serviceUrl,
  WORKER_PORTS,
} from "./topology.js";
export { uuidV5 } from "./uuid.js";
