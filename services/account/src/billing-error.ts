/** How a billing operation failed, independent of any RPC framework (service.ts maps it to a code). */
import type { DeclineReason } from "./payments.js";

export type BillingErrorKind =
  | "not_found"
  | "already_exists"
  | "failed_precondition"
  | "invalid_argument"
  | "aborted";

interface BillingErrorOptions {
  /** Remembered under the idempotency key, so a retry gets the same answer (declined payments). */
  remember?: boolean;
  /** The card was declined for this reason: the attempt is over, another card is a new attempt. */
  declined?: DeclineReason;
}

export class BillingError extends Error {
  override name = "BillingError";
  readonly remember: boolean;
  readonly declined: DeclineReason | undefined;
  constructor(
    readonly kind: BillingErrorKind,
    message: string,
    options: BillingErrorOptions = {},
  ) {
    super(message);
    this.remember = options.remember ?? false;
    this.declined = options.declined;
  }
}
