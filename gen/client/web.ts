import type { Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { withDefaultDeadlines } from "./deadline.js";
import { checkTransport, clientInterceptors, type MarqueeBaseOptions } from "./options.js";
import { createMarqueeClients, type MarqueeClients } from "./services.js";

/** Wire protocols a browser can speak (gRPC needs HTTP/2 trailers, which fetch lacks). */
export type WebTransportName = "connect" | "grpc-web";

const WEB_TRANSPORTS: readonly WebTransportName[] = ["connect", "grpc-web"];

/** Options of createMarqueeWeb. */
export interface MarqueeWebOptions extends MarqueeBaseOptions {
  /** Wire protocol (default "connect"). */
  transport?: WebTransportName | undefined;
  /** The fetch to use (default globalThis.fetch), e.g. one that adds `credentials: "include"`. */
  fetch?: typeof globalThis.fetch | undefined;
}

/**
 * Clients of all six Marquee services for browsers (and other fetch
 * runtimes), over Connect or gRPC-Web, with credentials and a default
 * deadline on every call. Imports no Node.js modules.
 *
 * @example
 * const marquee = createMarqueeWeb({ baseUrl: "https://api.marquee.example", accessToken: () => session.token });
 * const { genres } = await marquee.content.getGenres({});
 */
export function createMarqueeWeb(options: MarqueeWebOptions): MarqueeClients {
  return createMarqueeClients(createMarqueeWebTransport(options));
}

/** The transport createMarqueeWeb uses, for callers that want to create clients themselves. */
export function createMarqueeWebTransport(options: MarqueeWebOptions): Transport {
  const name = checkTransport(options.transport ?? "connect", WEB_TRANSPORTS);
  const common = {
    baseUrl: options.baseUrl,
    interceptors: clientInterceptors(options),
    ...(options.useBinaryFormat === undefined ? {} : { useBinaryFormat: options.useBinaryFormat }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  };
  const transport = name === "grpc-web" ? createGrpcWebTransport(common) : createConnectTransport(common);
  return withDefaultDeadlines(transport, options);
}
