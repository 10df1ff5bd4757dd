import type { Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { withDefaultDeadlines } from "./deadline.js";
import { checkTransport, clientInterceptors, type MarqueeBaseOptions } from "./options.js";
import { createMarqueeClients, type MarqueeClients } from "./services.js";

/** Wire protocols the Node client speaks. */
export type NodeTransportName = "connect" | "grpc" | "grpc-web";

const NODE_TRANSPORTS: readonly NodeTransportName[] = ["connect", "grpc", "grpc-web"];

/** Options of createMarquee. */
export interface MarqueeOptions extends MarqueeBaseOptions {
  /** Wire protocol (default "connect"). */
  transport?: NodeTransportName | undefined;
  /**
   * HTTP version for "connect" and "grpc-web" (default "1.1", which works
   * through any proxy; "2" multiplexes calls over one connection). "grpc"
   * always uses HTTP/2.
   */
  httpVersion?: "1.1" | "2" | undefined;
}

/**
 * Clients of all six Marquee services for Node.js, over Connect, gRPC or
 * gRPC-Web, with credentials and a default deadline on every call.
 *
 * @example
 * const marquee = createMarquee({ baseUrl: "http://127.0.0.1:8080", apiKey: process.env.MARQUEE_API_KEY });
 * const { genres } = await marquee.content.getGenres({});
 */
export function createMarquee(options: MarqueeOptions): MarqueeClients {
  return createMarqueeClients(createMarqueeTransport(options));
}

/** The transport createMarquee uses, for callers that want to create clients themselves. */
export function createMarqueeTransport(options: MarqueeOptions): Transport {
  const name = checkTransport(options.transport ?? "connect", NODE_TRANSPORTS);
  const common = {
    baseUrl: options.baseUrl,
    interceptors: clientInterceptors(options),
    ...(options.useBinaryFormat === undefined ? {} : { useBinaryFormat: options.useBinaryFormat }),
  };
  const httpVersion = options.httpVersion ?? "1.1";
  let transport: Transport;
  switch (name) {
    case "grpc":
      transport = createGrpcTransport(common);
      break;
    case "grpc-web":
      transport = createGrpcWebTransport({ ...common, httpVersion });
      break;
    default:
      transport = createConnectTransport({ ...common, httpVersion });
  }
  return withDefaultDeadlines(transport, options);
}
