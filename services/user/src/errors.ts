import { create } from "@bufbuild/protobuf";
import {
  FieldPathElementSchema,
  FieldPathSchema,
  ViolationSchema,
  ViolationsSchema,
} from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { Code, ConnectError } from "@connectrpc/connect";

/**
 * An InvalidArgument shaped like the kit validator's (message naming field
 * and rule, a buf.validate.Violations detail), for rules protovalidate cannot
 * state, such as "not after today".
 */
export function fieldViolation(
  message: string,
  field: { name: string; number: number },
  ruleId: string,
  problem: string,
): ConnectError {
  const violation = create(ViolationSchema, {
    field: create(FieldPathSchema, {
      elements: [create(FieldPathElementSchema, { fieldName: field.name, fieldNumber: field.number })],
    }),
    ruleId,
    message: problem,
  });
  return new ConnectError(
    `invalid ${message}: ${field.name}: ${problem} [${ruleId}]`,
    Code.InvalidArgument,
    undefined,
    [{ desc: ViolationsSchema, value: create(ViolationsSchema, { violations: [violation] }) }],
  );
}

/** ResourceExhausted with the wait in the message and in a retry-after header (seconds). */
export function throttled(what: string, retryAfterMs: number): ConnectError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new ConnectError(`${what}; try again in ${seconds} s`, Code.ResourceExhausted, {
    "retry-after": String(seconds),
  });
}
