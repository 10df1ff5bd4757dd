import type { IncomingHttpHeaders } from "node:http";
import {
  Code,
  ConnectError,
  type Interceptor,
  type StreamRequest,
  type UnaryRequest,
} from "@connectrpc/connect";
import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { codeName } from "../interceptors/observe.js";

/** Codes that make a server span an error (the semantic conventions' list for gRPC servers). */
const SERVER_FAULTS: ReadonlySet<Code> = new Set([
  Code.Unknown,
  Code.DeadlineExceeded,
  Code.Unimplemented,
  Code.Internal,
  Code.Unavailable,
  Code.DataLoss,
]);

const fetchHeaders: TextMapGetter<Headers> = {
  keys: (h) => [...h.keys()],
  get: (h, key) => h.get(key) ?? undefined,
};

const nodeHeaders: TextMapGetter<IncomingHttpHeaders> = {
  keys: (h) => Object.keys(h),
  get: (h, key) => h[key],
};

const carrierSetter: TextMapSetter<Headers | Record<string, unknown>> = {
  set(carrier, key, value) {
    if (carrier instanceof Headers) carrier.set(key, value);
    else carrier[key] = value;
  },
};

/** One RPC's span, on either side of the call. */
export interface RpcSpan {
  /** Runs `work` with this span active, so the calls it makes are its children. */
  run<T>(work: () => T): T;
  /** Writes traceparent (and tracestate) into the headers of a call made for this one. */
  inject(carrier: Headers | Record<string, unknown>): void;
  /** Ends the span with the call's outcome: code 0 for success, else its Connect code. */
  end(code: Code | 0, message?: string): void;
}

function rpcSpan(
  tracer: Tracer,
  kind: SpanKind.SERVER | SpanKind.CLIENT,
  service: string,
  method: string,
  parent: Context,
): RpcSpan {
  const span: Span = tracer.startSpan(
    `${service}/${method}`,
    { kind, attributes: { "rpc.system": "connect_rpc", "rpc.service": service, "rpc.method": method } },
    parent,
  );
  const active = trace.setSpan(parent, span);
  return {
    run: (work) => context.with(active, work),
    inject: (carrier) => propagation.inject(active, carrier, carrierSetter),
    end(code, message) {
      if (code !== 0) {
        span.setAttribute("rpc.connect_rpc.error_code", codeName(code));
        if (kind === SpanKind.CLIENT || SERVER_FAULTS.has(code))
          span.setStatus({ code: SpanStatusCode.ERROR, message: message ?? codeName(code) });
      }
      span.end();
    },
  };
}

/**
 * The server span of a call that arrived with these HTTP headers: a child of
 * the client's span when it sent a W3C traceparent, else a new trace.
 */
export function rpcServerSpan(
  tracer: Tracer,
  service: string,
  method: string,
  headers: IncomingHttpHeaders,
): RpcSpan {
  return rpcSpan(
    tracer,
    SpanKind.SERVER,
    service,
    method,
    propagation.extract(ROOT_CONTEXT, headers, nodeHeaders),
  );
}

const ended = (span: RpcSpan, err?: unknown) => {
  if (err === undefined) return span.end(0);
  const e = ConnectError.from(err);
  span.end(e.code, e.rawMessage);
};

/** The response's stream, each step taken with the span active; the span ends with the stream. */
async function* tracedStream<T>(source: AsyncIterable<T>, span: RpcSpan): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let outcome: unknown = new ConnectError("stream abandoned", Code.Canceled);
  try {
    for (let r = await span.run(() => it.next()); r.done !== true; r = await span.run(() => it.next()))
      yield r.value;
    outcome = undefined;
  } catch (err) {
    outcome = err;
    throw err;
  } finally {
    ended(span, outcome);
    if (outcome !== undefined) await it.return?.();
  }
}

function spanning(open: (req: UnaryRequest | StreamRequest) => RpcSpan): Interceptor {
  return (next) => async (req) => {
    const span = open(req);
    try {
      const res = await span.run(() => next(req));
      if (!res.stream) {
        ended(span);
        return res;
      }
      return { ...res, message: tracedStream(res.message, span) };
    } catch (err) {
      ended(span, err);
      throw err;
    }
  };
}

/** A server span per call (Connect, gRPC and gRPC-Web alike), continuing the client's trace. */
export function serverSpans(tracer: Tracer): Interceptor {
  return spanning((req) =>
    rpcSpan(
      tracer,
      SpanKind.SERVER,
      req.service.typeName,
      req.method.name,
      propagation.extract(ROOT_CONTEXT, req.header, fetchHeaders),
    ),
  );
}

/** A client span per call made, its traceparent sent with the call. */
export function clientSpans(tracer: Tracer): Interceptor {
  return spanning((req) => {
    const span = rpcSpan(tracer, SpanKind.CLIENT, req.service.typeName, req.method.name, context.active());
    span.inject(req.header);
    return span;
  });
}
