import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "pino";
import { requestIdKey } from "../request-id.js";
import { mapStream } from "./streams.js";

/**
 * Lets ConnectErrors through and turns anything else into Internal with a
 * message that names the request id but none of the error's text or stack:
 * those go to the log, where the operator can find them by that id.
 */
export function errorInterceptor(log: Logger): Interceptor {
  return (next) => async (req) => {
    const conceal = (err: unknown): ConnectError => {
      if (err instanceof ConnectError) return err;
      const requestId = req.contextValues.get(requestIdKey);
      log.error({ err, requestId, rpc: `${req.service.typeName}/${req.method.name}` }, "unexpected error");
      return new ConnectError(`internal error; request id ${requestId}`, Code.Internal);
    };
    try {
      const res = await next(req);
      if (!res.stream) return res;
      return { ...res, message: mapStream(res.message, (m) => m, conceal) };
    } catch (err) {
      throw conceal(err);
    }
  };
}
