import type { Http2ServerResponse } from "node:http2";
import { Code } from "@connectrpc/connect";
import { grpcContentType, grpcStatusHeaders, respondStatusOnly } from "@marquee/kit";
import { capGrpcRequest } from "./grpc-request-cap.js";
import { decodedMessage, type OutcomeReader, type WireProtocol } from "./wire-protocol.js";

const CONTENT_TYPE = /^application\/grpc(\+proto|\+json)?$/;
const UNIT_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 0.001, n: 0.000001 };

/** The grpc-timeout header in milliseconds, or undefined when absent or malformed. */
export function parseGrpcTimeout(value: string | string[] | undefined): number | undefined {
  const match = typeof value === "string" ? /^(\d{1,8})([HMSmun])$/.exec(value) : null;
  if (match === null) return undefined;
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}

/** The deadline as gRPC (and gRPC-Web) say it: whole milliseconds, at least one. */
export const grpcTimeout = (ms: number) => ({ "grpc-timeout": `${Math.max(1, Math.ceil(ms))}m` });

/** A grpc-status value: 0 (ok) or a Code; anything else is Unknown, as gRPC says. */
export function statusCode(value: string | string[] | undefined): number {
  const n = Number(value);
  return n === 0 || (Number.isInteger(n) && Code[n] !== undefined) ? n : Code.Unknown;
}

/** gRPC over HTTP/2: status in the trailers (or in the only HEADERS frame, "Trailers-Only"). */
export const grpc: WireProtocol = {
  name: "grpc",
  http2Trailers: true,
  takes: (req, contentType) => req.httpVersionMajor === 2 && CONTENT_TYPE.test(contentType),
  clientTimeoutMs: (headers) => parseGrpcTimeout(headers["grpc-timeout"]),
  passedOn: ["content-type", "grpc-encoding", "grpc-accept-encoding", "user-agent"],
  deadlineHeaders: grpcTimeout,
  capRequest: capGrpcRequest,
  refuse(req, res, err) {
    // One HEADERS frame with END_STREAM: a client still sending its request reads the status at once.
    respondStatusOnly(
      res as Http2ServerResponse,
      grpcContentType(req.headers["content-type"]),
      grpcStatusHeaders(err),
    );
  },
  fail(res, err) {
    (res as Http2ServerResponse).addTrailers(grpcStatusHeaders(err));
    res.end();
  },
  outcomeReader(): OutcomeReader {
    let code: number | undefined;
    let message: string | undefined;
    const read = (h: Record<string, string | string[] | undefined>) => {
      if (h["grpc-status"] === undefined) return;
      code = statusCode(h["grpc-status"]);
      message = decodedMessage(h["grpc-message"]);
    };
    return {
      headers: read,
      trailers: read,
      data() {},
      outcome: () => ({ code: code ?? Code.Unknown, ...(message === undefined ? {} : { message }) }),
    };
  },
};
