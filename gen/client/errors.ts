import {
  type FieldPath,
  type Violation,
  ViolationsSchema,
} from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { ConnectError } from "@connectrpc/connect";

/** One broken validation rule of a rejected request, flattened for display. */
export interface FieldViolation {
  /** Path of the offending field in the request, e.g. "query" or "genre_ids[2]". */
  field: string;
  /** Id of the broken rule, e.g. "string.min_len". */
  rule: string;
  /** Human-readable explanation, e.g. "value length must be at least 1 characters". */
  message: string;
}

/**
 * The validation violations an InvalidArgument error carries as
 * `buf.validate.Violations` details; empty for any other error (so it is safe
 * to call on whatever a call threw).
 */
export function fieldViolations(err: unknown): FieldViolation[] {
  if (!(err instanceof ConnectError)) return [];
  return err
    .findDetails(ViolationsSchema)
    .flatMap((detail) => detail.violations)
    .map((v: Violation) => ({ field: renderPath(v.field), rule: v.ruleId, message: v.message }));
}

/** "items[2].name", `labels["k"]`; "" for a message-level violation. */
function renderPath(path: FieldPath | undefined): string {
  let out = "";
  for (const element of path?.elements ?? []) {
    if (out !== "") out += ".";
    out += element.fieldName;
    const { subscript } = element;
    switch (subscript.case) {
      case undefined:
        break;
      case "stringKey":
        out += `[${JSON.stringify(subscript.value)}]`;
        break;
      default:
        out += `[${String(subscript.value)}]`;
    }
  }
  return out;
}
