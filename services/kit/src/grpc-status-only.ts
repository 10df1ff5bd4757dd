import http2, { type Http2ServerResponse, type OutgoingHttpHeaders } from "node:http2";
import type { ConnectError } from "@connectrpc/connect";

const GRPC_CONTENT_TYPE = /^application\/grpc(\+proto|\+json)?$/;

/** grpc-status and grpc-message of an error. */
export function grpcStatusHeaders(err: ConnectError): Record<string, string> {
  return { "grpc-status": String(err.code), "grpc-message": encodeGrpcMessage(err.rawMessage) };
}

/**
 * A grpc-message value as the gRPC spec encodes it: UTF-8, with every byte
 * outside printable ASCII, and "%" itself, as %XX. encodeURIComponent (what
 * connect-es uses) also encodes ";", "/", "?" and others, which grpc-js then
 * shows as they came ("%3B"): it decodes with decodeURI.
 */
function encodeGrpcMessage(message: string): string {
  let out = "";
  for (const byte of Buffer.from(message, "utf8")) {
    out +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Re-encodes, as the spec says, a grpc-message that connect-es wrote with encodeURIComponent. */
export function respecGrpcMessage(headers: Headers): void {
  const message = headers.get("grpc-message");
  if (message === null) return;
  try {
    headers.set("grpc-message", encodeGrpcMessage(decodeURIComponent(message)));
  } catch {
    // Not percent-encoding after all: leave it as it is.
  }
}

/** The request's gRPC content type, to answer in the same codec; plain application/grpc otherwise. */
export function grpcContentType(requestContentType: string | undefined): string {
  return requestContentType !== undefined && GRPC_CONTENT_TYPE.test(requestContentType)
    ? requestContentType
    : "application/grpc";
}

/**
 * Ends a gRPC call over HTTP/2 with a status and no message, as the gRPC spec's
 * "Trailers-Only" response: ONE HEADERS frame with :status 200, the content
 * type, the given headers (grpc-status, grpc-message…) and END_STREAM. Node's
 * compatibility API (writeHead, then end) sends the headers and then an empty
 * DATA frame to end the stream, which grpcio reads as "Stream removed" and
 * grpc-go as a stream closed without trailers. Headers already set on the
 * response (CORS, request id) go along. A client still sending its request is
 * asked to stop (RST_STREAM NO_ERROR after the response, RFC 9113 §8.1)
 * rather than read to its end.
 */
export function respondStatusOnly(
  res: Http2ServerResponse,
  contentType: string,
  headers: OutgoingHttpHeaders,
): void {
  const stream = res.stream;
  if (stream.headersSent || stream.destroyed) return;
  const stillSending = stream.state.remoteClose !== 1;
  stream.respond(
    { ...res.getHeaders(), ":status": 200, "content-type": contentType, ...headers },
    { endStream: true },
  );
  // What the client sent or still sends is not needed: drop it so the stream can close.
  res.req.resume();
  if (stillSending) stream.close(http2.constants.NGHTTP2_NO_ERROR);
}
