import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";

/**
 * A gRPC client of another Marquee service over HTTP/2. Pass
 * callOptions(ctx) on each call so deadline, identity and request id travel on.
 */
export function createServiceClient<S extends DescService>(service: S, baseUrl: string): Client<S> {
  return createClient(service, createGrpcTransport({ baseUrl, idleConnectionTimeoutMs: 60_000 }));
}
