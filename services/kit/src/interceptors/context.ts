import type { Interceptor } from "@connectrpc/connect";
import { ANONYMOUS, CALLER_HEADER, callerKey, decodeCaller } from "../caller.js";
import { REQUEST_ID_HEADER, requestIdFrom, requestIdKey } from "../request-id.js";

/**
 * Puts the caller and the request id into the handler context, and echoes the
 * id to the client. Services trust the caller header (only the gateway and
 * other services reach them); the edge does not, and starts every call as
 * anonymous until its own authentication says otherwise.
 */
export function contextInterceptor(trustCallerHeader: boolean): Interceptor {
  return (next) => async (req) => {
    const requestId = requestIdFrom(req.header.get(REQUEST_ID_HEADER));
    req.contextValues.set(requestIdKey, requestId);
    req.contextValues.set(
      callerKey,
      trustCallerHeader ? decodeCaller(req.header.get(CALLER_HEADER)) : ANONYMOUS,
    );
    const res = await next(req);
    res.header.set(REQUEST_ID_HEADER, requestId);
    return res;
  };
}
