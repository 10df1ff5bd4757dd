/** How a billing operation failed, independent of any RPC framework (service.ts maps it to a code). */
export type BillingErrorKind =
  | "not_found"
  | "already_exists"
  | "failed_precondition"
  | "invalid_argument"
  | "aborted";

export class BillingError extends Error {
  override name = "BillingError";
  constructor(
    readonly kind: BillingErrorKind,
    message: string,
    /** Remembered under the idempotency key, so a retry gets the same answer (declined payments). */
    readonly remember = false,
  ) {
    super(message);
  }
}
