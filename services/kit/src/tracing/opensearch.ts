import type { Client } from "@opensearch-project/opensearch";
import { SpanKind, type Tracer } from "@opentelemetry/api";
import { inSpan } from "./spans.js";

/**
 * "POST catalog/_search" for POST /catalog/_search, "PUT catalog/_doc" for a document:
 * the index and the endpoint, not the document's id, so names stay few.
 */
function operationOf(method: string, path: string): string {
  const parts =
    path
      .split("?", 1)[0]
      ?.split("/")
      .filter((p) => p !== "") ?? [];
  return `${method} ${parts.filter((p, i) => i === 0 || p.startsWith("_")).join("/")}`;
}

type Request = (params: { method: string; path: string }, ...rest: unknown[]) => unknown;

/**
 * Makes a client span of each promise-style request of this client (every API
 * call goes through its transport), without the request body: a search's
 * words are the member's. Callback-style calls (none in Marquee) go through untraced.
 */
export function traceOpenSearch(client: Client, tracer: Tracer): void {
  const transport = client.transport as unknown as { request: Request };
  const request = transport.request.bind(transport);
  transport.request = (params, ...rest) => {
    if (rest.some((a) => typeof a === "function")) return request(params, ...rest);
    const name = operationOf(params.method, params.path);
    return inSpan(tracer, name, () => request(params, ...rest) as Promise<unknown>, {
      kind: SpanKind.CLIENT,
      attributes: {
        "db.system.name": "opensearch",
        "db.operation.name": name,
        "http.request.method": params.method,
        "url.path": params.path,
      },
    });
  };
}
