import { Code, type ConnectError } from "@connectrpc/connect";
import { trailerFlag, trailerParse, trailerSerialize } from "@connectrpc/connect/protocol-grpc-web";
import { grpcStatusHeaders } from "@marquee/kit";
import { grpcTimeout, parseGrpcTimeout, statusCode } from "./grpc.js";
import { capGrpcRequest } from "./grpc-request-cap.js";
import { decodedMessage, type OutcomeReader, type WireProtocol } from "./wire-protocol.js";

const CONTENT_TYPE = /^application\/grpc-web(\+proto)?$/;
const PREFIX_BYTES = 5;

/** The status as a gRPC-Web trailer frame: the last thing in the body. */
function trailerFrame(err: ConnectError): Buffer {
  const block = trailerSerialize(new Headers(grpcStatusHeaders(err)));
  const head = Buffer.alloc(PREFIX_BYTES);
  head[0] = trailerFlag;
  head.writeUInt32BE(block.length, 1);
  return Buffer.concat([head, block]);
}

/**
 * Walks the frames of a gRPC-Web response body as it streams by, keeping only
 * the trailer frame (a few bytes at the end), to learn the call's status.
 */
function trailerWatcher() {
  let head = Buffer.alloc(0);
  let left = 0;
  let inTrailer = false;
  const trailer: Buffer[] = [];
  return {
    data(chunk: Buffer) {
      let at = 0;
      while (at < chunk.length) {
        if (left === 0) {
          const need = PREFIX_BYTES - head.length;
          head = Buffer.concat([head, chunk.subarray(at, at + need)]);
          at += Math.min(need, chunk.length - at);
          if (head.length < PREFIX_BYTES) return;
          inTrailer = ((head[0] as number) & trailerFlag) === trailerFlag;
          left = head.readUInt32BE(1);
          head = Buffer.alloc(0);
          continue;
        }
        const take = Math.min(left, chunk.length - at);
        if (inTrailer) trailer.push(chunk.subarray(at, at + take));
        at += take;
        left -= take;
      }
    },
    trailer: () => (trailer.length === 0 ? undefined : trailerParse(Buffer.concat(trailer))),
  };
}

/**
 * gRPC-Web (binary) over HTTP/1.1 or HTTP/2: framed like gRPC, the status in a
 * trailer frame at the end of the body, or in the headers of a response
 * without a body.
 */
export const grpcWeb: WireProtocol = {
  name: "grpc-web",
  http2Trailers: false,
  takes: (_req, contentType) => CONTENT_TYPE.test(contentType),
  clientTimeoutMs: (headers) => parseGrpcTimeout(headers["grpc-timeout"]),
  passedOn: [
    "content-type",
    "grpc-encoding",
    "grpc-accept-encoding",
    "x-grpc-web",
    "x-user-agent",
    "user-agent",
  ],
  deadlineHeaders: grpcTimeout,
  capRequest: capGrpcRequest,
  refuse(req, res, err) {
    res.writeHead(200, { "content-type": req.headers["content-type"] as string });
    res.end(trailerFrame(err));
  },
  fail(res, err) {
    res.end(trailerFrame(err));
  },
  outcomeReader(): OutcomeReader {
    const watcher = trailerWatcher();
    let fromHeaders: { code: number; message?: string } | undefined;
    return {
      headers(h) {
        if (h["grpc-status"] === undefined) return;
        const message = decodedMessage(h["grpc-message"]);
        fromHeaders = { code: statusCode(h["grpc-status"]), ...(message === undefined ? {} : { message }) };
      },
      data: (chunk) => watcher.data(chunk),
      trailers() {},
      outcome() {
        const trailer = watcher.trailer();
        if (trailer === undefined) return fromHeaders ?? { code: Code.Unknown };
        const message = decodedMessage(trailer.get("grpc-message") ?? undefined);
        return {
          code: statusCode(trailer.get("grpc-status") ?? undefined),
          ...(message === undefined ? {} : { message }),
        };
      },
    };
  },
};
