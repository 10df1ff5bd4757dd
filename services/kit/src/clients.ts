import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { clientSpans } from "./tracing/rpc.js";
import { tracerFor } from "./tracing/state.js";

/**
 * A gRPC client of another Marquee service over HTTP/2. Pass
 * callOptions(ctx) on each call so deadline, identity and request id travel on
 * (and the trace, while the process traces).
 */
export function createServiceClient<S extends DescService>(service: S, baseUrl: string): Client<S> {
  const tracer = tracerFor("rpc-client");
  return createClient(
    service,
    createGrpcTransport({
      baseUrl,
      idleConnectionTimeoutMs: 60_000,
      // Inside the mesh bytes are cheap and CPU is not: the called service never gzips its answers
      // (it spent ~1.3 ms per search answer, measured); the edge compresses for the public link.
      acceptCompression: [],
      interceptors: tracer === undefined ? [] : [clientSpans(tracer)],
    }),
  );
}
