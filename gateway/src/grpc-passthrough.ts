import http2, { type Http2ServerRequest, type Http2ServerResponse } from "node:http2";
import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  CALLER_HEADER,
  CLIENT_IP_HEADER,
  COUNTRY_HEADER,
  codeName,
  encodeCaller,
  grpcContentType,
  grpcStatusHeaders,
  type InFlight,
  REQUEST_ID_HEADER,
  type RequestLimit,
  type RpcMetrics,
  requestIdFrom,
  respondStatusOnly,
  SESSION_HEADER,
} from "@marquee/kit";
import type { Logger } from "pino";
import type { GatewayAuth } from "./auth.js";
import { type DeadlinePolicy, unaryDeadlineMessage, unaryDeadlineMs } from "./deadlines.js";
import { capGrpcRequest } from "./grpc-request-cap.js";

const GRPC_CONTENT_TYPE = /^application\/grpc(\+proto|\+json)?$/;
/** Request headers a client may send on to a service; everything else (a forged caller header too) stays here. */
const PASSED_ON = ["content-type", "grpc-encoding", "grpc-accept-encoding", "user-agent"];
const UNIT_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 0.001, n: 0.000001 };

export interface PassthroughOptions {
  /** Upstream base URL per service type name, e.g. "marquee.streaming.v1.StreamingService". */
  upstreams: Map<string, string>;
  services: DescService[];
  auth: GatewayAuth;
  deadlines: DeadlinePolicy;
  /** Most bytes a request message may have, per RPC. */
  requestLimit: RequestLimit;
  log: Logger;
  metrics: RpcMetrics;
  inFlight: InFlight;
}

/** The grpc-timeout header in milliseconds, or undefined when absent or malformed. */
export function parseGrpcTimeout(value: string | undefined): number | undefined {
  const match = value === undefined ? null : /^(\d{1,8})([HMSmun])$/.exec(value);
  if (match === null) return undefined;
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}

/**
 * gRPC unary calls pass through the gateway as bytes: the gateway admits the
 * call from its headers (token or API key, access table), then pipes the
 * request to the owning service with the caller, request id, client address,
 * session and deadline set by the gateway, and pipes back the response and its
 * trailers (status, message, details) as they come. Decoding and re-encoding
 * each message in a Connect router and a Connect client cost the gateway
 * ~1.4 ms of CPU per call on this machine (measured); services validate every
 * request themselves. Connect, gRPC-Web and streaming calls take the generic
 * forwarder. Returns false for a request it does not take.
 */
export function grpcPassthrough(o: PassthroughOptions) {
  const unary = new Map<string, { service: string; method: string; maxBytes: number }>();
  for (const s of o.services) {
    if (!o.upstreams.has(s.typeName)) continue;
    for (const m of s.methods) {
      if (m.methodKind === "unary")
        unary.set(`/${s.typeName}/${m.name}`, {
          service: s.typeName,
          method: m.name,
          maxBytes: o.requestLimit(m),
        });
    }
  }
  const sessions = new Map<string, http2.ClientHttp2Session>();
  const sessionTo = (url: string) => {
    let session = sessions.get(url);
    if (session === undefined || session.closed || session.destroyed) {
      const fresh = http2.connect(url);
      // Errors surface on the streams; an unheard 'error' would crash the process.
      fresh.on("error", () => {});
      fresh.on("close", () => sessions.get(url) === fresh && sessions.delete(url));
      fresh.on("goaway", () => sessions.get(url) === fresh && sessions.delete(url));
      sessions.set(url, fresh);
      session = fresh;
    }
    return session;
  };

  const take = (req: Http2ServerRequest, res: Http2ServerResponse): boolean => {
    const rpc = req.method === "POST" ? unary.get(req.url) : undefined;
    const contentType = req.headers["content-type"];
    if (rpc === undefined || contentType === undefined || !GRPC_CONTENT_TYPE.test(contentType)) return false;
    const started = process.hrtime.bigint();
    const labels = { service: rpc.service, method: rpc.method };
    const requestId = requestIdFrom((req.headers[REQUEST_ID_HEADER] as string | undefined) ?? null);
    const header = (name: string) => {
      const v = req.headers[name];
      return typeof v === "string" ? v : null;
    };
    o.inFlight.enter();
    let done = false;
    let upstream: http2.ClientHttp2Stream | undefined;
    let timer: NodeJS.Timeout | undefined;
    const finish = (code: number, message?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      o.inFlight.leave();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const name = code === 0 ? "ok" : codeName(code as Code);
      o.metrics.calls.inc({ ...labels, code: name });
      if (code !== 0) o.metrics.errors.inc({ ...labels, code: name });
      o.metrics.latency.observe(labels, seconds);
      o.log[code === 0 ? "info" : "warn"](
        {
          rpc: `${rpc.service}/${rpc.method}`,
          code: name,
          ms: Math.round(seconds * 1e6) / 1e3,
          requestId,
          ...(message === undefined ? {} : { error: message }),
        },
        "rpc",
      );
    };
    /** The gateway's own answer: trailers-only, or trailers after what the service sent. */
    const refuse = (err: ConnectError) => {
      if (done) return;
      if (!res.headersSent && !res.writableEnded) {
        // One HEADERS frame with END_STREAM: a client still sending its request reads the status at once.
        respondStatusOnly(res, grpcContentType(contentType), {
          ...grpcStatusHeaders(err),
          [REQUEST_ID_HEADER]: requestId,
        });
      } else if (!res.writableEnded) {
        res.addTrailers(grpcStatusHeaders(err));
        res.end();
      }
      upstream?.close(http2.constants.NGHTTP2_CANCEL);
      finish(err.code, err.rawMessage);
    };
    req.once("aborted", () => {
      upstream?.close(http2.constants.NGHTTP2_CANCEL);
      finish(Code.Canceled, "client went away");
    });

    const clientMs = parseGrpcTimeout(req.headers["grpc-timeout"] as string | undefined);
    const timeoutMs = unaryDeadlineMs(clientMs, o.deadlines);
    timer = setTimeout(
      () => refuse(new ConnectError(unaryDeadlineMessage(clientMs, o.deadlines), Code.DeadlineExceeded)),
      timeoutMs,
    );
    o.auth.admit(rpc.service, rpc.method, header).then(
      (who) => {
        if (done) return;
        const forward: http2.OutgoingHttpHeaders = {
          ":method": "POST",
          ":path": req.url,
          te: "trailers",
          "grpc-timeout": `${Math.max(1, Math.ceil(timeoutMs - Number(process.hrtime.bigint() - started) / 1e6))}m`,
          [CALLER_HEADER]: encodeCaller(who.caller),
          [REQUEST_ID_HEADER]: requestId,
        };
        for (const name of PASSED_ON) if (req.headers[name] !== undefined) forward[name] = req.headers[name];
        const address = o.auth.forwardedFor(header) ?? req.socket?.remoteAddress ?? "";
        if (address !== "") forward[CLIENT_IP_HEADER] = address;
        if (who.sessionId !== "") forward[SESSION_HEADER] = who.sessionId;
        if (who.country !== "") forward[COUNTRY_HEADER] = who.country;
        const url = o.upstreams.get(rpc.service) as string;
        const stream = sessionTo(url).request(forward);
        upstream = stream;
        let status: number | undefined;
        let message: string | undefined;
        stream.on("error", () =>
          refuse(
            new ConnectError(
              `the ${serviceName(rpc.service)} service is unavailable; try again`,
              Code.Unavailable,
            ),
          ),
        );
        let statusOnly = false;
        stream.on("response", (headers, flags) => {
          if (done) return;
          const out: http2.OutgoingHttpHeaders = {};
          for (const [k, v] of Object.entries(headers)) if (!k.startsWith(":")) out[k] = v;
          out[REQUEST_ID_HEADER] = requestId;
          const httpStatus = Number(headers[":status"] ?? 200);
          // A trailers-only answer from the service stays one: compat's writeHead and end would split it.
          statusOnly = (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0;
          if (statusOnly)
            respondStatusOnly(res, String(out["content-type"] ?? "application/grpc"), {
              ...out,
              ":status": httpStatus,
            });
          else res.writeHead(httpStatus, out);
          if (headers["grpc-status"] !== undefined) status = statusCode(headers["grpc-status"]);
          message = headers["grpc-message"] as string | undefined;
        });
        stream.on("trailers", (trailers) => {
          if (done) return;
          res.addTrailers(trailers);
          if (trailers["grpc-status"] !== undefined) status = statusCode(trailers["grpc-status"]);
          message = trailers["grpc-message"] as string | undefined;
        });
        stream.on("data", (chunk: Buffer) => {
          if (!done) res.write(chunk);
        });
        stream.on("end", () => {
          if (done) return;
          if (!statusOnly) res.end();
          finish(status ?? Code.Unknown, message === undefined ? undefined : decodedMessage(message));
        });
        const cap = capGrpcRequest(`${rpc.service}/${rpc.method}`, rpc.maxBytes, (err) => {
          req.unpipe(cap);
          refuse(err);
          // Answered: ask the client to stop sending the rest (RST_STREAM NO_ERROR, as HTTP/2 allows).
          res.stream.close(http2.constants.NGHTTP2_NO_ERROR);
        });
        req.pipe(cap).pipe(stream);
      },
      (err: unknown) => {
        if (err instanceof ConnectError) return refuse(err);
        o.log.error({ err, requestId }, "admitting a call failed");
        refuse(new ConnectError("internal error", Code.Internal));
      },
    );
    return true;
  };

  return {
    take,
    close() {
      for (const s of sessions.values()) s.close();
    },
  };
}

/** A grpc-status value: 0 (ok) or a Code; anything else is Unknown, as gRPC says. */
function statusCode(value: string | string[] | undefined): number {
  const n = Number(value);
  return n === 0 || (Number.isInteger(n) && Code[n] !== undefined) ? n : Code.Unknown;
}

/** grpc-message is percent-encoded; a malformed one is shown as it came. */
function decodedMessage(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** "streaming" for "marquee.streaming.v1.StreamingService". */
const serviceName = (typeName: string) => typeName.split(".")[1] ?? typeName;
