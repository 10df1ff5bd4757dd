import { ConnectError, type Interceptor } from "@connectrpc/connect";
import { undefinedEnumValues, unknownEnumsError } from "../input/enum-values.js";
import type { RequestLimit } from "../input/limits.js";
import { requestReadError } from "../input/read-errors.js";
import { mapStream } from "./streams.js";

/**
 * Refuses what decoding lets through: enum numbers the contract does not
 * define (open enums keep them), in every message of the request. A server
 * stream's one request is read here, ahead of credentials and rules, as a
 * unary request is read before any interceptor, and an error reading it is
 * said as the client's fault in the same words.
 */
export function inputInterceptor(limit: RequestLimit): Interceptor {
  return (next) => async (req) => {
    const input = req.method.input;
    const check = <M>(message: M): M => {
      const problems = undefinedEnumValues(input, message as Parameters<typeof undefinedEnumValues>[1]);
      if (problems.length > 0) throw unknownEnumsError(input, problems);
      return message;
    };
    if (!req.stream) {
      check(req.message);
      return next(req);
    }
    const stream = mapStream(req.message, check, (err) =>
      err instanceof ConnectError ? requestReadError(err, req.method, limit(req.method)) : err,
    );
    if (req.method.methodKind !== "server_streaming") return next({ ...req, message: stream });
    const first = await stream.next();
    return next({ ...req, message: replay(first, stream) });
  };
}

/** The stream again, from a first item already taken from it. */
async function* replay<T>(first: IteratorResult<T>, rest: AsyncIterator<T>): AsyncGenerator<T> {
  for (let item = first; item.done !== true; item = await rest.next()) yield item.value;
}
