import { ConnectError, createContextKey, createContextValues } from "@connectrpc/connect";
import {
  createAsyncIterable,
  encodeEnvelope,
  type UniversalHandler,
  type UniversalServerRequest,
  type UniversalServerResponse,
} from "@connectrpc/connect/protocol";
import {
  codeFromHttpStatus,
  codeToHttpStatus,
  errorFromJsonBytes,
  errorToJsonBytes,
} from "@connectrpc/connect/protocol-connect";
import { findTrailerError, setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import { trailerFlag, trailerParse, trailerSerialize } from "@connectrpc/connect/protocol-grpc-web";
import type { Logger } from "pino";
import { recordCall } from "../interceptors/observe.js";
import type { RpcMetrics } from "../metrics.js";
import { REQUEST_ID_HEADER, requestIdFrom } from "../request-id.js";
import { requestReadError } from "./read-errors.js";

/** Set by the observe interceptor on the calls that reach the interceptors (which observe them). */
export const reachedKey = createContextKey<{ reached: boolean } | undefined>(undefined, {
  description: "whether the call reached the interceptors",
});

/**
 * Wraps an RPC's handler for the calls connect-es refuses while reading the
 * request, before any interceptor runs (a unary request that is too large or
 * does not decode): the refusal says the client's fault in the client's
 * protocol (see requestReadError), carries a request id, and is logged and
 * counted in the metrics like any other call. On HTTP/1.1, a response given
 * before the request body was read to its end closes the connection: Node
 * would otherwise read the rest to keep the connection alive, or, once
 * connect-es stops reading, cut it under a response that promised keep-alive
 * (the client's next request on it then fails).
 */
export function observeRefusals(
  handler: UniversalHandler,
  o: { log: Logger; metrics: RpcMetrics; limit: number },
): UniversalHandler {
  const guarded = async (req: UniversalServerRequest): Promise<UniversalServerResponse> => {
    let unread = req.method === "POST";
    const body = isByteStream(req.body)
      ? readToEnd(req.body, () => {
          unread = false;
        })
      : req.body;
    const res = await asClientFault(handler, { ...req, body }, o);
    if (!unread || !req.httpVersion.startsWith("1.")) return res;
    const header = new Headers(res.header);
    header.set("connection", "close");
    return { ...res, header };
  };
  return Object.assign(guarded, handler);
}

async function asClientFault(
  handler: UniversalHandler,
  req: UniversalServerRequest,
  o: { log: Logger; metrics: RpcMetrics; limit: number },
): Promise<UniversalServerResponse> {
  const started = process.hrtime.bigint();
  const reached = { reached: false };
  const contextValues = req.contextValues ?? createContextValues();
  contextValues.set(reachedKey, reached);
  const res = await handler({ ...req, contextValues });
  if (reached.reached) return res;
  // Nothing ran, so the body is at most the error (Connect, gRPC-Web) and small.
  const chunks: Uint8Array[] = [];
  for await (const chunk of res.body ?? []) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const refusal = refusalIn(res, body);
  if (refusal === undefined) return { ...res, body: createAsyncIterable([body]) };
  const error = requestReadError(refusal.error, handler.method, o.limit);
  const requestId = requestIdFrom(req.header.get(REQUEST_ID_HEADER));
  recordCall(o.log, o.metrics, {
    service: handler.service.typeName,
    method: handler.method.name,
    err: error,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    requestId,
  });
  const answer = refusal.answer(error);
  answer.header?.set(REQUEST_ID_HEADER, requestId);
  return answer;
}

const isByteStream = (body: UniversalServerRequest["body"]): body is AsyncIterable<Uint8Array> =>
  typeof body === "object" && body !== null && Symbol.asyncIterator in body;

/** The body as it is read, calling `ended` once it has been read to its end. */
async function* readToEnd(body: AsyncIterable<Uint8Array>, ended: () => void): AsyncGenerator<Uint8Array> {
  yield* body;
  ended();
}

interface Refusal {
  error: ConnectError;
  /** The same response, saying another error. */
  answer(error: ConnectError): UniversalServerResponse;
}

/** The error a response of a call that never reached a handler carries, in any of the three protocols. */
function refusalIn(res: UniversalServerResponse, body: Uint8Array): Refusal | undefined {
  const header = new Headers(res.header);
  const type = header.get("content-type") ?? "";
  if (type.startsWith("application/grpc-web")) {
    if (body.length < 5 || body[0] !== trailerFlag) return undefined;
    const error = findTrailerError(trailerParse(body.subarray(5)));
    if (error === undefined) return undefined;
    return {
      error,
      answer: (err) => {
        const trailer = trailerSerialize(setTrailerStatus(new Headers(), err));
        return { ...res, header, body: createAsyncIterable([encodeEnvelope(trailerFlag, trailer)]) };
      },
    };
  }
  if (type.startsWith("application/grpc")) {
    const error = res.trailer === undefined ? undefined : findTrailerError(res.trailer);
    if (error === undefined) return undefined;
    return {
      error,
      answer: (err) => ({
        ...res,
        header,
        body: createAsyncIterable([]),
        trailer: setTrailerStatus(new Headers(), err),
      }),
    };
  }
  if (res.status === 200 || !type.startsWith("application/json")) return undefined;
  // An error body too large to go uncompressed (never seen: refusals are short) is read by its status.
  const fallback = new ConnectError("", codeFromHttpStatus(res.status));
  return {
    error: errorFromJsonBytes(body, undefined, fallback),
    answer: (err) => {
      const json = errorToJsonBytes(err, {});
      header.set("content-length", String(json.byteLength));
      header.delete("content-encoding");
      return { ...res, status: codeToHttpStatus(err.code), header, body: createAsyncIterable([json]) };
    },
  };
}
