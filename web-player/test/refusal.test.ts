import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@marquee/sdk/browser";
import {
  StreamRefusal_Reason,
  StreamRefusalSchema,
} from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import test from "ava";
import { playbackRefusal } from "../src/lib/errors.js";

const refused = (message: string, reason?: StreamRefusal_Reason) =>
  new ConnectError(
    message,
    Code.FailedPrecondition,
    undefined,
    reason === undefined
      ? []
      : [{ desc: StreamRefusalSchema, value: create(StreamRefusalSchema, { reason }) }],
  );

test("only a missing subscription leads to Choose a plan", (t) => {
  const plan = playbackRefusal(
    refused("no active subscription: choose a plan to start watching", StreamRefusal_Reason.NO_SUBSCRIPTION),
  );
  t.is(plan?.title, "No active membership");
  t.is(plan?.action?.label, "Choose a plan");
  t.is(plan?.detail, "No active subscription: choose a plan to start watching.");

  const soon = playbackRefusal(
    refused("this title has no playable media yet: it is coming soon", StreamRefusal_Reason.NO_MEDIA),
  );
  t.deepEqual(soon, {
    title: "Coming soon",
    detail: "This title has no playable media yet: it is coming soon.",
  });

  const notReady = playbackRefusal(refused("still being prepared", StreamRefusal_Reason.MEDIA_NOT_READY));
  t.is(notReady?.title, "Almost ready");
  t.is(notReady?.action, undefined);

  const unexplained = playbackRefusal(refused("for a member account only"));
  t.is(unexplained?.title, "Can't play this right now");
  t.is(unexplained?.action, undefined, "no reason given is no reason to sell a plan");

  t.is(playbackRefusal(new ConnectError("no", Code.NotFound)), undefined);
  t.is(playbackRefusal(new Error("boom")), undefined);
});
