/** Turns any failure into a sentence a member can act on. */
import { Code, ConnectError } from "@marquee/sdk/browser";

export interface FriendlyError {
  title: string;
  detail: string;
  code: Code | undefined;
  retryable: boolean;
}

export function friendlyError(err: unknown): FriendlyError {
  if (!(err instanceof ConnectError)) {
    const message = err instanceof Error ? err.message : String(err);
    return { title: "Something went wrong", detail: message, code: undefined, retryable: true };
  }
  const detail = err.rawMessage;
  switch (err.code) {
    case Code.Unimplemented:
      return {
        title: "Not available yet",
        detail: detail || "This part of Marquee is still being built.",
        code: err.code,
        retryable: false,
      };
    case Code.Unavailable:
      return {
        title: "Can't reach Marquee",
        detail: "Check your connection; we'll keep trying.",
        code: err.code,
        retryable: true,
      };
    case Code.DeadlineExceeded:
      return { title: "That took too long", detail: "Please try again.", code: err.code, retryable: true };
    case Code.Unauthenticated:
      return { title: "Please sign in again", detail, code: err.code, retryable: false };
    case Code.PermissionDenied:
      return { title: "Not allowed", detail, code: err.code, retryable: false };
    case Code.NotFound:
      return { title: "Not found", detail, code: err.code, retryable: false };
    case Code.ResourceExhausted:
      return { title: "Limit reached", detail, code: err.code, retryable: true };
    case Code.FailedPrecondition:
      return { title: "Can't do that right now", detail, code: err.code, retryable: false };
    case Code.InvalidArgument:
      return { title: "Please check the form", detail, code: err.code, retryable: false };
    case Code.AlreadyExists:
      return { title: "Already exists", detail, code: err.code, retryable: false };
    default:
      return { title: "Something went wrong", detail, code: err.code, retryable: true };
  }
}

export function isCode(err: unknown, code: Code): boolean {
  return err instanceof ConnectError && err.code === code;
}
