import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@marquee/sdk/browser";
import { DeclineReason, PaymentDeclinedSchema } from "@marquee/sdk/marquee/account/v1/account_service_pb";
import {
  ContentWithheld_Reason,
  ContentWithheldSchema,
} from "@marquee/sdk/marquee/content/v1/content_service_pb";
import test from "ava";
import {
  definitive,
  friendlyError,
  isDecline,
  paymentError,
  signInError,
  titleUnavailable,
} from "../src/lib/errors.js";

const declined = (reason: DeclineReason) =>
  new ConnectError(
    "the payment was declined (card_declined); no subscription was created — try another card with a new idempotency_key",
    Code.FailedPrecondition,
    undefined,
    [{ desc: PaymentDeclinedSchema, value: create(PaymentDeclinedSchema, { reason }) }],
  );

test("a declined card reads as a decline in the member's words, never the service's field names", (t) => {
  const f = paymentError(declined(DeclineReason.INSUFFICIENT_FUNDS), "Try another card.");
  t.is(f.title, "Card declined");
  t.is(f.detail, "Your bank declined this card for insufficient funds. Try another card.");
  t.notRegex(`${f.title} ${f.detail}`, /idempotency|_key|declined \(/);
  t.true(isDecline(declined(DeclineReason.CARD_DECLINED)));
});

test("a payment refusal that is not a decline keeps the general wording", (t) => {
  const other = new ConnectError("the subscription has ended; create a new one", Code.FailedPrecondition);
  t.false(isDecline(other));
  t.deepEqual(paymentError(other, "Try another card."), friendlyError(other));
});

test("a refused sign-in is a wrong email or password; an ended session still says so", (t) => {
  const wrong = new ConnectError("wrong e-mail address or password", Code.Unauthenticated);
  const f = signInError(wrong);
  t.regex(`${f.title}: ${f.detail}`, /^Couldn't sign in: That email and password don't match/);
  t.notRegex(f.title, /sign in again/i);

  const ended = new ConnectError("your session has ended; sign in again", Code.Unauthenticated);
  t.is(friendlyError(ended).title, "Please sign in again");
  t.is(friendlyError(ended).detail, "your session has ended; sign in again");
  t.is(signInError(new ConnectError("slow down", Code.ResourceExhausted)).title, "Limit reached");
});

test("only a definitive answer ends an attempt; a lost or failed answer may be retried as the same one", (t) => {
  for (const code of [Code.FailedPrecondition, Code.InvalidArgument, Code.AlreadyExists, Code.NotFound])
    t.true(definitive(new ConnectError("x", code)), Code[code]);
  for (const code of [Code.Unavailable, Code.DeadlineExceeded, Code.Aborted, Code.Internal, Code.Unknown])
    t.false(definitive(new ConnectError("x", code)), Code[code]);
  t.false(definitive(new TypeError("Failed to fetch")));
});

const ID = "0b6e1c2a-4f7d-5a3e-9c1b-2d8f6e4a7b90";
const withheld = () =>
  new ConnectError(
    "this title is rated above this profile's maturity cap",
    Code.PermissionDenied,
    undefined,
    [
      {
        desc: ContentWithheldSchema,
        value: create(ContentWithheldSchema, { reason: ContentWithheld_Reason.MATURITY_CAP }),
      },
    ],
  );

test("a title withheld from the profile is told kindly, apart from an unknown one, never with its id", (t) => {
  const kind = titleUnavailable(withheld());
  t.is(kind?.title, "This title isn't available on this profile");
  t.deepEqual(
    kind?.next.map((s) => s.href),
    ["/", "/profiles"],
    "home first, then another profile",
  );
  const unknown = titleUnavailable(new ConnectError(`no title ${ID}`, Code.NotFound));
  t.is(unknown?.title, "We can't find this title");
  t.deepEqual(unknown?.next, [{ label: "Go home", href: "/" }]);
  for (const said of [kind, unknown]) t.notRegex(`${said?.title} ${said?.detail}`, /[0-9a-f]{8}-|no title/);
  t.is(
    titleUnavailable(new ConnectError("not yours", Code.PermissionDenied)),
    undefined,
    "a refusal without the detail is not read as the cap",
  );
  t.is(titleUnavailable(new ConnectError("down", Code.Unavailable)), undefined);
});
