/** Turns any failure into a sentence a member can act on. */
import { Code, ConnectError } from "@marquee/sdk/browser";
import { DeclineReason, PaymentDeclinedSchema } from "@marquee/sdk/marquee/account/v1/account_service_pb";
import {
  ContentWithheld_Reason,
  ContentWithheldSchema,
} from "@marquee/sdk/marquee/content/v1/content_service_pb";
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

/**
 * Codes after which the server may or may not have done the work (the answer was lost, the
 * server was busy or failed midway): a retry must be the same attempt, with the same key.
 */
const OUTCOME_UNKNOWN = new Set([
  Code.Canceled,
  Code.Unknown,
  Code.DeadlineExceeded,
  Code.Aborted,
  Code.Internal,
  Code.Unavailable,
  Code.DataLoss,
]);

/** True when the server answered for good: the work was done, or refused and not done. */
export function definitive(err: unknown): boolean {
  return err instanceof ConnectError && !OUTCOME_UNKNOWN.has(err.code);
}

/** Sign-in: a refused login is a wrong email or password, not an ended session. */
export function signInError(err: unknown): FriendlyError {
  if (!isCode(err, Code.Unauthenticated)) return friendlyError(err);
  return {
    title: "Couldn't sign in",
    detail: "That email and password don't match. Check them and try again.",
    code: Code.Unauthenticated,
    retryable: false,
  };
}

const DECLINED: Record<DeclineReason, string> = {
  [DeclineReason.UNSPECIFIED]: "Your bank declined this card.",
  [DeclineReason.CARD_DECLINED]: "Your bank declined this card.",
  [DeclineReason.INSUFFICIENT_FUNDS]: "Your bank declined this card for insufficient funds.",
  [DeclineReason.CARD_EXPIRED]: "This card has expired or is blocked.",
};

const declineOf = (err: unknown) =>
  err instanceof ConnectError ? err.findDetails(PaymentDeclinedSchema)[0] : undefined;

/** True when the card was declined (the attempt is over; another card is a new attempt). */
export function isDecline(err: unknown): boolean {
  return declineOf(err) !== undefined;
}

/** A payment: a declined card in the member's words, with what to do next (`next`). */
export function paymentError(err: unknown, next: string): FriendlyError {
  const declined = declineOf(err);
  if (declined === undefined) return friendlyError(err);
  return {
    title: "Card declined",
    detail: `${DECLINED[declined.reason] ?? DECLINED[DeclineReason.UNSPECIFIED]} ${next}`,
    code: Code.FailedPrecondition,
    retryable: false,
  };
}

/** A way on from a message: a link, the first one the main choice. */
interface NextStep {
  label: string;
  href: string;
}

/** Why a title cannot be shown, in member words, and where to go instead. */
export interface TitleUnavailable {
  title: string;
  detail: string;
  next: NextStep[];
}

/**
 * A title the catalog would not give: withheld from this profile (rated above
 * its cap: PermissionDenied with a ContentWithheld detail) or not known at all
 * (NotFound). Undefined for any other error (the catalog unreachable, a retry
 * may help). Never the service's message: it names the title's id.
 */
export function titleUnavailable(err: unknown): TitleUnavailable | undefined {
  if (!(err instanceof ConnectError)) return undefined;
  const withheld = err.findDetails(ContentWithheldSchema)[0];
  if (err.code === Code.PermissionDenied && withheld?.reason === ContentWithheld_Reason.MATURITY_CAP) {
    return {
      title: "This title isn't available on this profile",
      detail: "It's meant for older viewers. Find something else to watch, or switch to another profile.",
      next: [
        { label: "Go home", href: "/" },
        { label: "Switch profile", href: "/profiles" },
      ],
    };
  }
  if (err.code === Code.NotFound) {
    return {
      title: "We can't find this title",
      detail: "It may have left Marquee, or the link may be incomplete.",
      next: [{ label: "Go home", href: "/" }],
    };
  }
  return undefined;
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
