import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import {
  Code,
  ConnectError,
  type ConnectRouter,
  type ConnectRouterOptions,
  type ContextValues,
  createConnectRouter,
} from "@connectrpc/connect";
import type { UniversalServerResponse } from "@connectrpc/connect/protocol";
import {
  compressionBrotli,
  compressionGzip,
  universalRequestFromNodeRequest,
  universalResponseToNodeResponse,
} from "@connectrpc/connect-node";
import type { Logger } from "pino";
import { respecGrpcMessage, respondStatusOnly } from "./grpc-status-only.js";
import { unknownRpcResponder } from "./unknown-rpc.js";

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;

export interface RpcHandlerOptions extends ConnectRouterOptions {
  routes: (router: ConnectRouter) => void;
  contextValues?: (req: Request) => ContextValues;
  /** Serves what is neither a known RPC nor an RPC call at all (browser GETs); 404 when absent. */
  fallback?: (req: Request, res: Response) => void;
  log: Logger;
}

/**
 * The Connect router as a Node request handler, like connect-node's
 * connectNodeAdapter with two differences on the wire: a gRPC call that ends
 * before any message (an error, most often) gets a trailers-only response
 * (one HEADERS frame with END_STREAM) instead of headers, an empty DATA frame
 * and trailers, and a call to an RPC this server lacks gets Unimplemented in
 * the caller's protocol instead of a bare HTTP 404.
 */
export function rpcHandler(opts: RpcHandlerOptions): (req: Request, res: Response) => void {
  const { routes, contextValues, fallback: otherwise, log, ...routerOptions } = opts;
  const router = createConnectRouter({
    acceptCompression: [compressionGzip, compressionBrotli],
    ...routerOptions,
  });
  routes(router);
  const paths = new Map(router.handlers.map((h) => [h.requestPath, h]));
  const services = [...new Set(router.handlers.map((h) => h.service))];
  const unknownRpc = unknownRpcResponder(services);
  const fallback =
    otherwise ??
    ((_req: Request, res: Response) => {
      res.writeHead(404);
      res.end();
    });

  return (req, res) => {
    const handler = paths.get(req.url?.split("?", 1)[0] ?? "");
    if (handler === undefined) {
      if (!unknownRpc(req, res)) fallback(req, res);
      return;
    }
    const uReq = universalRequestFromNodeRequest(req, res, undefined, contextValues?.(req));
    handler(uReq)
      .then((uRes) => writeResponse(uRes, req, res))
      .catch((reason: unknown) => {
        if (ConnectError.from(reason).code === Code.Aborted) return;
        log.error(
          { err: reason, rpc: `${handler.service.typeName}/${handler.method.name}` },
          "writing the response failed",
        );
      });
  };
}

async function writeResponse(uRes: UniversalServerResponse, req: Request, res: Response): Promise<void> {
  const contentType = uRes.header?.get("content-type") ?? "";
  const grpcOverHttp2 =
    req.httpVersionMajor === 2 && /^application\/grpc(\+proto|\+json)?$/.test(contentType);
  const trailer = uRes.trailer;
  if (!grpcOverHttp2 || uRes.body === undefined || trailer === undefined)
    return universalResponseToNodeResponse(uRes, res);
  // The router has already waited for the first chunk of the body; an empty body means the
  // call is over and its trailers (the status) are final.
  const it = uRes.body[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done === true) {
    respecGrpcMessage(trailer);
    const headers: Record<string, string> = {};
    for (const source of [uRes.header, trailer])
      source?.forEach((value, key) => {
        headers[key] = value;
      });
    respondStatusOnly(res as Http2ServerResponse, contentType, headers);
    return;
  }
  // The rest as it was, the first chunk put back; return and throw reach the router's
  // iterator, which aborts the call when the client goes away.
  let replay = true;
  const body: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        if (replay) {
          replay = false;
          return first;
        }
        const next = await it.next();
        // The trailers are final once the body is.
        if (next.done === true) respecGrpcMessage(trailer);
        return next;
      },
      throw: (e: unknown) => it.throw?.(e) ?? Promise.reject(e),
      return: (v: unknown) => it.return?.(v) ?? Promise.resolve({ done: true as const, value: v }),
    }),
  };
  return universalResponseToNodeResponse({ ...uRes, body }, res);
}
