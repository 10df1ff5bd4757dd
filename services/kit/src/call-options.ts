import type { CallOptions, HandlerContext } from "@connectrpc/connect";
import { CALLER_HEADER, callerKey, encodeCaller } from "./caller.js";
import { REQUEST_ID_HEADER, requestIdKey } from "./request-id.js";

/**
 * Options for a downstream call made while handling a request: the remaining
 * deadline, cancellation when the caller goes away, the caller's identity and
 * the request id all travel on.
 */
export function callOptions(
  ctx: HandlerContext,
  fallbackTimeoutMs?: number,
  opts: { asService?: string } = {},
): CallOptions {
  const headers = new Headers();
  // A service calling an internal RPC speaks for itself, not for the member it serves.
  const caller =
    opts.asService === undefined
      ? ctx.values.get(callerKey)
      : { kind: "internal" as const, service: opts.asService, scopes: [] };
  headers.set(CALLER_HEADER, encodeCaller(caller));
  const requestId = ctx.values.get(requestIdKey);
  if (requestId !== "") headers.set(REQUEST_ID_HEADER, requestId);
  return { timeoutMs: ctx.timeoutMs() ?? fallbackTimeoutMs, signal: ctx.signal, headers };
}
