// `@marquee/kit/tracing`: OpenTelemetry traces across the gateway, the services, the bus and the
// stores. The SDK is loaded only when tracing starts; everything else here needs only the API.
export type { Tracer } from "@opentelemetry/api";
export { type RpcSpan, rpcServerSpan } from "./rpc.js";
export { registerTracing, startTracing, type Tracing } from "./setup.js";
export { activeContext, inSpan, type TraceContext } from "./spans.js";
export { tracerFor } from "./state.js";
