import type { Interceptor } from "@connectrpc/connect";
import { CALLER_HEADER, callerKey, decodeCaller } from "../caller.js";
import { REQUEST_ID_HEADER, requestIdFrom, requestIdKey } from "../request-id.js";

/** Puts the caller and the request id into the handler context, and echoes the id to the client. */
export function contextInterceptor(): Interceptor {
  return (next) => async (req) => {
    const requestId = requestIdFrom(req.header.get(REQUEST_ID_HEADER));
    req.contextValues.set(requestIdKey, requestId);
    req.contextValues.set(callerKey, decodeCaller(req.header.get(CALLER_HEADER)));
    const res = await next(req);
    res.header.set(REQUEST_ID_HEADER, requestId);
    return res;
  };
}
