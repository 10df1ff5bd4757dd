import { randomUUID } from "node:crypto";
import {
  Code,
  ConnectError,
  createClient,
  createContextValues,
  createHandlerContext,
  createRouterTransport,
} from "@connectrpc/connect";
import { CALLER_HEADER, type Caller, callerKey, contentServiceCatalog, decodeCaller } from "@marquee/kit";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { FeedbackService } from "@marquee/sdk/marquee/feedback/v1/feedback_service_pb";
import test from "ava";

/** A content service that knows some titles, hides mature ones from capped callers, and counts calls. */
function fakeContent(known: Set<string>, mature: Set<string>, failing = false) {
  const seen: Caller[] = [];
  const transport = createRouterTransport(({ service }) => {
    service(ContentService, {
      getContentDetails(req, ctx) {
        const caller = decodeCaller(ctx.requestHeader.get(CALLER_HEADER));
        seen.push(caller);
        if (failing) throw new ConnectError("down", Code.Unavailable);
        if (!known.has(req.contentId)) throw new ConnectError("no such title", Code.NotFound);
        if (mature.has(req.contentId) && (caller.maturityCap ?? 99) < 4)
          throw new ConnectError("rated above your cap", Code.PermissionDenied);
        return {};
      },
    });
  });
  return { client: createClient(ContentService, transport), seen };
}

const ctxOf = (caller: Caller) =>
  createHandlerContext({
    service: FeedbackService,
    method: FeedbackService.method.rateContent,
    protocolName: "connect",
    requestMethod: "POST",
    url: "http://feedback/marquee.feedback.v1.FeedbackService/RateContent",
    contextValues: createContextValues().set(callerKey, caller),
  });

const adult: Caller = { kind: "member", userId: "u", profileId: "p", maturityCap: 5, scopes: [] };
const kid: Caller = { kind: "member", userId: "u", profileId: "k", maturityCap: 1, scopes: [] };

test("asks the content service as the caller, so their maturity cap applies; remembers what it found", async (t) => {
  const [film, adultFilm] = [randomUUID(), randomUUID()];
  const content = fakeContent(new Set([film, adultFilm]), new Set([adultFilm]));
  const catalog = contentServiceCatalog(content.client);
  t.true(await catalog.visible(film, ctxOf(adult)));
  t.true(await catalog.visible(film, ctxOf(adult)));
  t.is(content.seen.length, 1, "the second answer came from memory");
  t.like(content.seen[0], { kind: "member", profileId: "p", maturityCap: 5 });
  t.true(await catalog.visible(adultFilm, ctxOf(adult)));
  t.false(await catalog.visible(adultFilm, ctxOf(kid)), "the adult's answer is not reused for a kid");
  t.false(await catalog.visible(randomUUID(), ctxOf(adult)));
});

test("an unreachable content service gives Unavailable, not a NotFound", async (t) => {
  const catalog = contentServiceCatalog(fakeContent(new Set(), new Set(), true).client);
  const err = await t.throwsAsync(catalog.visible(randomUUID(), ctxOf(adult)));
  t.is(ConnectError.from(err).code, Code.Unavailable);
});
