import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import type { Http2ServerResponse } from "node:http2";
import { cors } from "@connectrpc/connect";

const exposed = [...cors.exposedHeaders, "x-request-id"].join(", ");
const allowedHeaders = [...cors.allowedHeaders, "authorization", "x-api-key", "x-request-id"].join(", ");
const allowedMethods = cors.allowedMethods.join(", ");

/**
 * CORS for Connect-Web and gRPC-Web callers on other origins. Returns true
 * when it answered a preflight, so the caller stops there.
 */
export function applyCors(headers: IncomingHttpHeaders, res: ServerResponse | Http2ServerResponse): boolean {
  const origin = headers.origin;
  if (origin === undefined) return false;
  res.setHeader("access-control-allow-origin", origin);
  res.setHeader("vary", "origin");
  res.setHeader("access-control-expose-headers", exposed);
  if (headers["access-control-request-method"] === undefined) return false;
  res.setHeader("access-control-allow-methods", allowedMethods);
  res.setHeader("access-control-allow-headers", allowedHeaders);
  res.setHeader("access-control-max-age", "7200");
  res.writeHead(204);
  res.end();
  return true;
}
