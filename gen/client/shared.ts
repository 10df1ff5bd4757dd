// Everything of the SDK that runs anywhere (Node.js and browsers alike).

export {
  type CallOptions,
  type Client,
  Code,
  ConnectError,
  type Interceptor,
  type Transport,
} from "@connectrpc/connect";
export { API_KEY_HEADER, authInterceptor, type Credentials, type TokenSource } from "./auth.js";
export * from "./contracts.js";
export { DEFAULT_TIMEOUT_MS, type Deadlines, withDefaultDeadlines } from "./deadline.js";
export { type FieldViolation, fieldViolations } from "./errors.js";
export type { MarqueeBaseOptions } from "./options.js";
export { createMarqueeClients, MARQUEE_SERVICES, type MarqueeClients } from "./services.js";
