import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { createValidator, violationsToProto } from "@bufbuild/protovalidate";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { type Accept, quickAccept } from "../input/quick-accept.js";
import { mapStream } from "./streams.js";

const validator = createValidator();
const quick = new WeakMap<DescMessage, Accept | null>();

/**
 * Checks a request message against the protovalidate rules of its schema. A
 * message the quick check accepts is valid; anything else protovalidate
 * judges, so every refusal is protovalidate's, in its words.
 */
export function validateMessage<D extends DescMessage>(schema: D, message: MessageShape<D>): void {
  let accept = quick.get(schema);
  if (accept === undefined) {
    accept = quickAccept(schema) ?? null;
    quick.set(schema, accept);
  }
  if (accept?.(message) === true) return;
  const result = validator.validate(schema, message);
  if (result.kind === "valid") return;
  if (result.kind === "error")
    throw new ConnectError(`validation failed: ${result.error.message}`, Code.Internal);
  // Each violation reads like "email: value must be a valid email address [string.email]";
  // the same violations travel as a buf.validate.Violations detail for programs.
  const [details, desc] = violationsToProto(result.violations);
  throw new ConnectError(
    `invalid ${schema.name}: ${result.violations.map(String).join("; ")}`,
    Code.InvalidArgument,
    undefined,
    [{ desc, value: details }],
  );
}

/**
 * Rejects invalid requests with InvalidArgument naming every offending field
 * and rule, before the handler runs. Streamed requests are checked message by
 * message.
 */
export function validationInterceptor(): Interceptor {
  return (next) => async (req) => {
    if (!req.stream) {
      validateMessage(req.method.input, req.message);
      return next(req);
    }
    const input = req.method.input;
    return next({
      ...req,
      message: mapStream(
        req.message,
        (m) => {
          validateMessage(input, m);
          return m;
        },
        (e) => e,
      ),
    });
  };
}
