import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { Transform } from "node:stream";
import { Code, ConnectError } from "@connectrpc/connect";

export type Request = IncomingMessage | Http2ServerRequest;
export type Response = ServerResponse | Http2ServerResponse;

/** What a call came to, as read from the service's response on its way back. */
export interface Outcome {
  code: number;
  message?: string;
}

/** Reads a call's outcome from the service's response as its parts pass by, untouched. */
export interface OutcomeReader {
  headers(headers: IncomingHttpHeaders): void;
  data(chunk: Buffer): void;
  trailers(trailers: IncomingHttpHeaders): void;
  outcome(): Outcome;
}

/**
 * One RPC protocol whose unary calls the gateway passes on as bytes: how to
 * recognise them, which client headers travel on, how the deadline is said,
 * how the request body is held to one message, and how the gateway answers in
 * that protocol's own shape when it refuses a call itself.
 */
export interface WireProtocol {
  readonly name: "grpc" | "connect" | "grpc-web";
  /** Whether the status travels in HTTP/2 trailers (gRPC), so they are asked for, relayed, and a bodiless answer stays one HEADERS frame. */
  readonly http2Trailers: boolean;
  /** Whether the request is a call of this protocol (content type, HTTP version). */
  takes(req: Request, contentType: string): boolean;
  /** The deadline the client asked for, in ms; undefined when it set none (or a malformed one). */
  clientTimeoutMs(headers: IncomingHttpHeaders): number | undefined;
  /** Client headers passed on as they came; everything else (a forged caller header too) stays at the gateway. */
  readonly passedOn: readonly string[];
  /** The headers that tell the service how long it has. */
  deadlineHeaders(ms: number): Record<string, string>;
  /** Passes the request body on while it holds at most one message of maxBytes. */
  capRequest(rpc: string, maxBytes: number, refuse: (err: ConnectError) => void): Transform;
  /** The gateway's own answer, before any of the service's response went out (headers already set on `res` go along). */
  refuse(req: Request, res: Response, err: ConnectError): void;
  /** Ends a response the service had begun with an error of the gateway's (its link to the service broke). */
  fail(res: Response, err: ConnectError): void;
  outcomeReader(): OutcomeReader;
}

/** "grpc-message" is percent-encoded; a malformed one is shown as it came. */
export function decodedMessage(value: string | string[] | undefined): string | undefined {
  if (typeof value !== "string") return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The request-size refusal the router gives, word for word. */
export const tooLarge = (rpc: string, maxBytes: number) =>
  new ConnectError(
    `request too large: ${rpc} takes at most ${maxBytes} bytes (after decompression)`,
    Code.ResourceExhausted,
  );
