/** Turns any failure into a sentence a member can act on. */
import { Code, ConnectError } from "@marquee/sdk/browser";
import {
  StreamRefusal_Reason,
  StreamRefusalSchema,
} from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";

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

/** What to tell a member whom StreamContent refused to play a title, and where they can go from there. */
export interface PlaybackRefusal {
  title: string;
  detail: string;
  action?: { label: string; href: string; primary: boolean };
}

/**
 * StreamContent's FailedPrecondition read by its StreamRefusal reason: only a
 * missing subscription leads to the plans; a title without media is coming
 * soon, one whose media is still being made is almost ready (the player offers
 * the way back to the title). Undefined for any other error.
 */
export function playbackRefusal(err: unknown): PlaybackRefusal | undefined {
  if (!(err instanceof ConnectError) || err.code !== Code.FailedPrecondition) return undefined;
  const reason = err.findDetails(StreamRefusalSchema)[0]?.reason ?? StreamRefusal_Reason.UNSPECIFIED;
  switch (reason) {
    case StreamRefusal_Reason.NO_SUBSCRIPTION:
      return {
        title: "No active membership",
        detail: sentence(err.rawMessage) || "Choose a plan to start watching.",
        action: { label: "Choose a plan", href: "/plans?next=/", primary: true },
      };
    case StreamRefusal_Reason.NO_MEDIA:
      return { title: "Coming soon", detail: sentence(err.rawMessage) };
    case StreamRefusal_Reason.MEDIA_NOT_READY:
      return { title: "Almost ready", detail: sentence(err.rawMessage) };
    default:
      return { title: "Can't play this right now", detail: sentence(err.rawMessage) };
  }
}

/** A service message as a sentence: capital first letter, full stop. */
function sentence(message: string): string {
  if (message === "") return "";
  const s = message[0]?.toUpperCase() + message.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}
