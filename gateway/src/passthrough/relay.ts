import http2 from "node:http2";
import type { Writable } from "node:stream";
import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  CALLER_HEADER,
  CLIENT_IP_HEADER,
  COUNTRY_HEADER,
  codeName,
  encodeCaller,
  grpcContentType,
  type InFlight,
  REQUEST_ID_HEADER,
  type RequestLimit,
  type RpcMetrics,
  requestIdFrom,
  respondStatusOnly,
  rpcLogLevel,
  SESSION_HEADER,
} from "@marquee/kit";
import { rpcServerSpan, type Tracer } from "@marquee/kit/tracing";
import type { Logger } from "pino";
import type { GatewayAuth } from "../auth.js";
import { type DeadlinePolicy, unaryDeadlineMessage, unaryDeadlineMs } from "../deadlines.js";
import type { Replica, Replicas } from "../replicas.js";
import { connectUnary } from "./connect.js";
import { grpc } from "./grpc.js";
import { grpcWeb } from "./grpc-web.js";
import { SessionPool } from "./sessions.js";
import type { Outcome, Request, Response, WireProtocol } from "./wire-protocol.js";

const PROTOCOLS: readonly WireProtocol[] = [grpc, connectUnary, grpcWeb];

export interface PassthroughOptions {
  /** The replicas of each service, by type name, e.g. "marquee.streaming.v1.StreamingService". */
  upstreams: Map<string, Replicas>;
  services: DescService[];
  auth: GatewayAuth;
  deadlines: DeadlinePolicy;
  /** Most bytes a request message may have, per RPC. */
  requestLimit: RequestLimit;
  log: Logger;
  metrics: RpcMetrics;
  inFlight: InFlight;
  /** While the process traces: each call gets a server span, the parent of the service's. */
  tracer?: Tracer;
}

/**
 * Unary calls in gRPC, binary Connect and gRPC-Web pass through the gateway as
 * bytes: the gateway admits the call from its headers (token or API key,
 * access table), then pipes the request to the owning service, which speaks
 * all three, with the caller, request id, client address, session and
 * deadline set by the gateway, and pipes back the response (status, headers,
 * body, trailers) as it comes. Decoding and re-encoding each message in a
 * Connect router and a Connect client cost the gateway ~1.4 ms of CPU per call
 * on this machine (measured); services validate every request themselves.
 * JSON, gRPC-Web text and streaming calls take the generic forwarder. Returns
 * false for a request it does not take. Each call goes to the service's next
 * replica, once connected to it: one that refuses the connection has been
 * sent nothing, so the call goes once more to another; one whose connection
 * breaks under a call may have acted on it, so that call fails Unavailable.
 * Either way the replica is passed over for a while.
 */
export function passthrough(o: PassthroughOptions) {
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
  const sessions = new SessionPool();

  const take = (req: Request, res: Response): boolean => {
    const rpc = req.method === "POST" ? unary.get(req.url ?? "") : undefined;
    const contentType = req.headers["content-type"];
    if (rpc === undefined || contentType === undefined) return false;
    const protocol = PROTOCOLS.find((p) => p.takes(req, contentType));
    if (protocol === undefined) return false;
    const started = process.hrtime.bigint();
    const labels = { service: rpc.service, method: rpc.method };
    const requestId = requestIdFrom((req.headers[REQUEST_ID_HEADER] as string | undefined) ?? null);
    const span =
      o.tracer === undefined ? undefined : rpcServerSpan(o.tracer, rpc.service, rpc.method, req.headers);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const header = (name: string) => {
      const v = req.headers[name];
      return typeof v === "string" ? v : null;
    };
    o.inFlight.enter();
    let done = false;
    let upstream: http2.ClientHttp2Stream | undefined;
    let timer: NodeJS.Timeout | undefined;
    const finish = ({ code, message }: Outcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      o.inFlight.leave();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const name = code === 0 ? "ok" : codeName(code as Code);
      o.metrics.calls.inc({ ...labels, code: name });
      if (code !== 0) o.metrics.errors.inc({ ...labels, code: name });
      o.metrics.latency.observe(labels, seconds);
      span?.end(code as Code | 0, message);
      o.log[rpcLogLevel(code === 0 ? undefined : (code as Code))](
        {
          rpc: `${rpc.service}/${rpc.method}`,
          protocol: protocol.name,
          code: name,
          ms: Math.round(seconds * 1e6) / 1e3,
          requestId,
          ...(message === undefined ? {} : { error: message }),
        },
        "rpc",
      );
    };
    /** The gateway's own answer: whole, or as the end of what the service sent. */
    const refuse = (err: ConnectError) => {
      if (done) return;
      if (!res.headersSent && !res.writableEnded) protocol.refuse(req, res, err);
      else if (!res.writableEnded) protocol.fail(res, err);
      upstream?.close(http2.constants.NGHTTP2_CANCEL);
      finish({ code: err.code, message: err.rawMessage });
    };
    req.once("aborted", () => {
      upstream?.close(http2.constants.NGHTTP2_CANCEL);
      finish({ code: Code.Canceled, message: "client went away" });
    });

    const replicas = o.upstreams.get(rpc.service) as Replicas;
    const unavailable = () =>
      new ConnectError(`the ${serviceName(rpc.service)} service is unavailable; try again`, Code.Unavailable);

    const clientMs = protocol.clientTimeoutMs(req.headers);
    const timeoutMs = unaryDeadlineMs(clientMs, o.deadlines);
    timer = setTimeout(
      () => refuse(new ConnectError(unaryDeadlineMessage(clientMs, o.deadlines), Code.DeadlineExceeded)),
      timeoutMs,
    );
    // Under the span, the user service calls admitting may make are its children.
    const admitted =
      span === undefined
        ? o.auth.admit(rpc.service, rpc.method, header)
        : span.run(() => o.auth.admit(rpc.service, rpc.method, header));
    admitted.then(
      (who) => {
        if (done) return;
        const forward: http2.OutgoingHttpHeaders = {
          ":method": "POST",
          ":path": req.url,
          ...(protocol.http2Trailers ? { te: "trailers" } : {}),
          ...protocol.deadlineHeaders(timeoutMs - Number(process.hrtime.bigint() - started) / 1e6),
          [CALLER_HEADER]: encodeCaller(who.caller),
          [REQUEST_ID_HEADER]: requestId,
        };
        for (const name of protocol.passedOn)
          if (req.headers[name] !== undefined) forward[name] = req.headers[name];
        const address = o.auth.forwardedFor(header) ?? req.socket?.remoteAddress ?? "";
        if (address !== "") forward[CLIENT_IP_HEADER] = address;
        if (who.sessionId !== "") forward[SESSION_HEADER] = who.sessionId;
        if (who.country !== "") forward[COUNTRY_HEADER] = who.country;
        span?.inject(forward);
        /** Nothing reached the replica: once more to another, if there is one. */
        const notSent = (replica: Replica, retried: boolean) => {
          replicas.down(replica);
          const again = retried ? undefined : replicas.other(replica);
          if (again === undefined) refuse(unavailable());
          else send(again, true);
        };
        const send = (replica: Replica, retried: boolean) =>
          sessions.connected(replica.url).then(
            (session) => {
              if (done) return;
              let stream: http2.ClientHttp2Stream;
              try {
                stream = session.request({ ...forward });
              } catch {
                // The session closed since it was handed out (ERR_HTTP2_INVALID_SESSION, a GOAWAY).
                return notSent(replica, retried);
              }
              relay(replica, session, stream);
            },
            () => {
              if (!done) notSent(replica, retried);
            },
          );
        send(replicas.pick(), false);
      },
      (err: unknown) => {
        if (err instanceof ConnectError) return refuse(err);
        o.log.error({ err, requestId }, "admitting a call failed");
        refuse(new ConnectError("internal error", Code.Internal));
      },
    );

    /** Pipes the request to the replica's stream and its answer back. */
    const relay = (replica: Replica, session: http2.ClientHttp2Session, stream: http2.ClientHttp2Stream) => {
      upstream = stream;
      const reader = protocol.outcomeReader();
      /** The stream failed or closed before its end: the call may have reached the replica, so it is not sent again. */
      const broke = () => {
        if (done) return;
        // The connection broke under the call (not a stream reset alone): pass the replica over.
        if (session.destroyed || session.closed) replicas.down(replica);
        refuse(unavailable());
      };
      stream.on("error", broke);
      stream.on("close", broke);
      let statusOnly = false;
      let answered = false;
      let trailered = false;
      stream.on("response", (headers, flags) => {
        if (done) return;
        answered = true;
        reader.headers(headers);
        const out: http2.OutgoingHttpHeaders = {};
        for (const [k, v] of Object.entries(headers)) if (!k.startsWith(":")) out[k] = v;
        const httpStatus = Number(headers[":status"] ?? 200);
        // A trailers-only gRPC answer stays one: compat's writeHead and end would split it.
        statusOnly = protocol.http2Trailers && (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0;
        if (statusOnly)
          respondStatusOnly(res as http2.Http2ServerResponse, grpcContentType(String(out["content-type"])), {
            ...out,
            ":status": httpStatus,
          });
        else res.writeHead(httpStatus, out);
      });
      stream.on("trailers", (trailers) => {
        if (done) return;
        trailered = true;
        reader.trailers(trailers);
        if (protocol.http2Trailers) (res as http2.Http2ServerResponse).addTrailers(trailers);
      });
      stream.on("data", (chunk: Buffer) => {
        if (done) return;
        reader.data(chunk);
        (res as Writable).write(chunk);
      });
      stream.on("end", () => {
        if (done) return;
        // A connection that closed under the call ends its streams too: one with no answer, or a
        // gRPC answer with no status (its trailers), was cut short, not answered.
        if (!answered || (protocol.http2Trailers && !statusOnly && !trailered)) return broke();
        if (!statusOnly) res.end();
        finish(reader.outcome());
      });
      const cap = protocol.capRequest(`${rpc.service}/${rpc.method}`, rpc.maxBytes, (err) => {
        req.unpipe(cap);
        refuse(err);
        // Answered: ask an HTTP/2 client to stop sending the rest (RST_STREAM NO_ERROR, as HTTP/2 allows).
        if ("stream" in res) res.stream.close(http2.constants.NGHTTP2_NO_ERROR);
        else req.resume();
      });
      req.pipe(cap).pipe(stream);
    };
    return true;
  };

  return {
    take,
    close() {
      sessions.close();
    },
  };
}

/** "streaming" for "marquee.streaming.v1.StreamingService". */
const serviceName = (typeName: string) => typeName.split(".")[1] ?? typeName;
