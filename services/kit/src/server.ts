import type { DescService } from "@bufbuild/protobuf";
import { type ConnectRouter, createContextValues, type Interceptor } from "@connectrpc/connect";
import { Health } from "@marquee/sdk/grpc/health/v1/health_pb";
import type { Tracer } from "@opentelemetry/api";
import type { Logger } from "pino";
import { type AdminAddress, serveAdmin } from "./admin.js";
import { clientAddressKey } from "./client-address.js";
import { applyCors } from "./cors.js";
import { HealthState, healthService } from "./health.js";
import { defaultRequestLimit, type RequestLimit } from "./input/limits.js";
import { inputRouter } from "./input/router.js";
import { contextInterceptor } from "./interceptors/context.js";
import { deadlineInterceptor } from "./interceptors/deadline.js";
import { errorInterceptor } from "./interceptors/errors.js";
import { inputInterceptor } from "./interceptors/input.js";
import { InFlight, observeInterceptor } from "./interceptors/observe.js";
import { validationInterceptor } from "./interceptors/validation.js";
import { DualProtocolListener, type RequestHandler } from "./listener.js";
import { createRpcMetrics, type RpcMetrics } from "./metrics.js";
import { type ReflectionOptions, registerReflection } from "./reflection.js";
import { type RpcHandlerOptions, rpcHandler } from "./rpc-handler.js";
import { serverSpans } from "./tracing/rpc.js";
import { tracerFor } from "./tracing/state.js";

/**
 * Takes a request before the Connect router does (returns true), or
 * leaves it (false). Given the server's metrics and in-flight count so calls
 * it takes are observed and drained like any other, and its tracer while the
 * process traces (see tracing/), so those calls are traced too.
 */
export type Passthrough = (kit: {
  metrics: RpcMetrics;
  inFlight: InFlight;
  tracer?: Tracer;
}) => RequestHandler<boolean>;

export interface ServeOptions {
  /** Component name for logs and metrics, e.g. "user". */
  name: string;
  /** The services this server implements (health is added). */
  services: DescService[];
  /** Registers the service implementations. */
  routes: (router: ConnectRouter) => void;
  port: number;
  host: string;
  log: Logger;
  /** How long shutdown waits for in-flight calls before cutting them off. */
  drainTimeoutMs?: number;
  /** Longest deadline a client may ask for (default SERVICE_MAX_TIMEOUT_MS); a longer one is InvalidArgument. */
  maxTimeoutMs?: number;
  /** Extra interceptors, run inside the standard ones (e.g. authentication in the gateway). */
  interceptors?: Interceptor[];
  /** Serves non-RPC paths (e.g. the web player); 404 when absent. */
  fallback?: RpcHandlerOptions["fallback"];
  /** Set false where the request is validated elsewhere (the gateway forwards, the service validates). */
  validate?: boolean;
  /** False at the edge: a caller header from outside is ignored (default true). */
  trustCallerHeader?: boolean;
  /** Adds CORS headers and answers preflights, for browsers calling from other origins. */
  cors?: boolean;
  /** A fast path ahead of the router (the gateway's byte-level pass-through). */
  passthrough?: Passthrough;
  /** gRPC server reflection of the services and health (on unless false). */
  reflection?: ReflectionOptions | false;
  /** Request size limits per RPC (default: MARQUEE_MAX_REQUEST_BYTES' defaults). */
  requestLimit?: RequestLimit;
  /** Where to serve GET /metrics (see loadAdminAddress); not served when absent. */
  admin?: AdminAddress;
}

/** Longest deadline a service accepts unless told otherwise: 1 h. */
export const SERVICE_MAX_TIMEOUT_MS = 3_600_000;

export interface Server {
  /** Bound port (useful with port 0). */
  port: number;
  url: string;
  /** The admin listener (GET /metrics), when one was asked for. */
  adminUrl?: string;
  metrics: RpcMetrics;
  health: HealthState;
  inFlight: InFlight;
  /** Stops taking calls, waits for in-flight ones up to the drain timeout, then closes. */
  close(): Promise<void>;
}

/**
 * Serves Connect, gRPC and gRPC-Web on one port over HTTP/2 cleartext and
 * HTTP/1.1, with health, validation, caller identity, request ids, logging and
 * error mapping on every call; metrics on a separate admin listener.
 */
export async function serve(opts: ServeOptions): Promise<Server> {
  const metrics = createRpcMetrics(opts.name);
  const inFlight = new InFlight();
  const health = new HealthState(opts.services.map((s) => s.typeName));
  const maxTimeoutMs = opts.maxTimeoutMs ?? SERVICE_MAX_TIMEOUT_MS;
  const limit = opts.requestLimit ?? defaultRequestLimit;
  const tracer = tracerFor(opts.name);
  const interceptors: Interceptor[] = [
    // Outermost, so the span covers the whole call; absent while the process does not trace.
    ...(tracer === undefined ? [] : [serverSpans(tracer)]),
    contextInterceptor(opts.trustCallerHeader ?? true),
    observeInterceptor(opts.log, metrics, inFlight),
    errorInterceptor(opts.log),
    deadlineInterceptor(),
    inputInterceptor(limit),
    ...(opts.interceptors ?? []),
    ...(opts.validate === false ? [] : [validationInterceptor()]),
  ];
  const rpc = rpcHandler({
    routes(router) {
      const input = inputRouter(router, { limit, log: opts.log, metrics });
      input.service(Health, healthService(health));
      if (opts.reflection !== false) registerReflection(input, [Health, ...opts.services], opts.reflection);
      opts.routes(input);
    },
    interceptors,
    maxTimeoutMs,
    requireConnectProtocolHeader: false,
    contextValues: (req) => createContextValues().set(clientAddressKey, req.socket?.remoteAddress ?? ""),
    fallback: opts.fallback,
    log: opts.log,
  });
  const passthrough = opts.passthrough?.({ metrics, inFlight, tracer });
  const handler: RequestHandler = (req, res) => {
    if (opts.cors) {
      const preflight = applyCors(req.headers, res);
      if (preflight) return;
    }
    if (passthrough?.(req, res)) return;
    rpc(req, res);
  };
  const admin = opts.admin && (await serveAdmin(opts.admin, metrics.registry, opts.log));
  const listener = new DualProtocolListener(handler);
  const port = await listener.listen(opts.port, opts.host).catch(async (err: unknown) => {
    await admin?.close();
    throw err;
  });
  opts.log.info({ port, host: opts.host, services: opts.services.map((s) => s.typeName) }, "serving");

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      health.drain();
      listener.stopAccepting();
      const drained = await Promise.race([
        inFlight
          .idle()
          .then(() => listener.closed())
          .then(() => true),
        new Promise<false>((resolve) => setTimeout(resolve, opts.drainTimeoutMs ?? 10_000, false).unref()),
      ]);
      if (!drained)
        opts.log.warn({ inFlight: inFlight.count }, "drain timeout; closing with calls in flight");
      listener.destroy();
      await admin?.close();
      opts.log.info("stopped");
    })();
    return closing;
  };
  return { port, url: `http://${opts.host}:${port}`, adminUrl: admin?.url, metrics, health, inFlight, close };
}
