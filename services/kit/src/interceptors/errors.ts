import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "pino";
import { isTransientBackendError } from "../backend-errors.js";
import { requestIdKey } from "../request-id.js";
import { mapStream } from "./streams.js";

/**
 * Headers of the wire protocol itself. An error a client call of this
 * process received carries its answer's headers and trailers as metadata, and
 * a server sends an error's metadata as headers: passed on as it is, an
 * upstream gRPC answer's content-type and grpc-status would dress this
 * process's Connect answer as gRPC, and a browser could not read it.
 */
const PROTOCOL_HEADERS =
  /^(content-type|content-length|content-encoding|grpc-|connect-|date$|connection$|keep-alive$|transfer-encoding$)/;

/** The error without the wire headers of the answer it came in (its own metadata stays). */
function withoutWireHeaders(err: ConnectError): ConnectError {
  for (const name of [...err.metadata.keys()]) if (PROTOCOL_HEADERS.test(name)) err.metadata.delete(name);
  return err;
}

/**
 * Lets ConnectErrors through (without the wire headers of an upstream answer
 * they came in) and turns anything else into Internal with a message that
 * names the request id but none of the error's text or stack: those go to the
 * log, where the operator can find them by that id. A store or search that
 * could not answer for now (a node lost, a timeout) is Unavailable instead, the
 * code clients retry on, and logged as one line: it is the cluster's state, not a bug.
 */
export function errorInterceptor(log: Logger): Interceptor {
  return (next) => async (req) => {
    const conceal = (err: unknown): ConnectError => {
      if (err instanceof ConnectError) return withoutWireHeaders(err);
      const requestId = req.contextValues.get(requestIdKey);
      const rpc = `${req.service.typeName}/${req.method.name}`;
      if (isTransientBackendError(err)) {
        log.warn({ error: String(err), requestId, rpc }, "a backend could not answer for now");
        return new ConnectError(
          `a backing store could not answer for now; try again (request id ${requestId})`,
          Code.Unavailable,
        );
      }
      log.error({ err, requestId, rpc }, "unexpected error");
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
