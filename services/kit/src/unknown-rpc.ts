import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { grpcContentType, grpcStatusHeaders, respondStatusOnly } from "./grpc-status-only.js";

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;

/** Longest piece of a path quoted back in a message. */
const QUOTED_PATH_MAX = 200;

/**
 * Answers a request for an RPC this server does not have with Unimplemented,
 * in the protocol the caller speaks (told by method and content type):
 * gRPC gets a trailers-only response, gRPC-Web its trailer frame, Connect
 * HTTP 404 with a Connect error body. Returns false for anything that is not
 * an RPC (a browser GET, a form post), which the caller answers as before.
 */
export function unknownRpcResponder(services: DescService[]) {
  const byName = new Map(services.map((s) => [s.typeName, s]));
  const served = [...byName.keys()].sort().join(", ");

  const problem = (url: string): ConnectError => {
    const path = url.split("?", 1)[0] ?? "";
    const match = /^\/([^/]+)\/([^/]+)$/.exec(path);
    const known = match === null ? undefined : byName.get(match[1] as string);
    const message =
      known !== undefined
        ? `${known.typeName} has no method ${(match as RegExpExecArray)[2]?.slice(0, QUOTED_PATH_MAX)}`
        : `no RPC at ${path.slice(0, QUOTED_PATH_MAX)}; this server serves ${served}`;
    return new ConnectError(message, Code.Unimplemented);
  };

  return (req: Request, res: Response): boolean => {
    const contentType = (req.headers["content-type"] ?? "").split(";", 1)[0]?.trim().toLowerCase() ?? "";
    const url = req.url ?? "/";
    if (req.method === "POST" && /^application\/grpc-web(\+proto|\+json)?$/.test(contentType)) {
      res.writeHead(200, { "content-type": contentType });
      res.end(grpcWebTrailerFrame(grpcStatusHeaders(problem(url))));
      return true;
    }
    if (req.method === "POST" && /^application\/grpc(\+proto|\+json)?$/.test(contentType)) {
      const status = grpcStatusHeaders(problem(url));
      if (req.httpVersionMajor === 2) {
        respondStatusOnly(res as Http2ServerResponse, grpcContentType(contentType), status);
      } else {
        res.writeHead(200, { "content-type": grpcContentType(contentType), ...status });
        res.end();
      }
      return true;
    }
    const connectPost = req.method === "POST" && /^application\/(connect\+)?(json|proto)$/.test(contentType);
    const connectGet = req.method === "GET" && /[?&]connect=v1(&|$)/.test(url);
    if (connectPost || connectGet) {
      const err = problem(url);
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: "unimplemented", message: err.rawMessage }));
      return true;
    }
    return false;
  };
}

/** A gRPC-Web trailer frame: flag 0x80, length, then the trailers as HTTP/1 header lines. */
function grpcWebTrailerFrame(trailers: Record<string, string>): Buffer {
  const text = Buffer.from(
    Object.entries(trailers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join(""),
  );
  const head = Buffer.alloc(5);
  head.writeUInt8(0x80, 0);
  head.writeUInt32BE(text.length, 1);
  return Buffer.concat([head, text]);
}
