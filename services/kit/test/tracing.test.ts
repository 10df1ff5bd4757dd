import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { createLogger, createServiceClient, type Server, serve } from "@marquee/kit";
import type { BusEvent } from "@marquee/kit/bus";
import { EmbeddedBus } from "@marquee/kit/embedded";
import { inSpan, tracerFor } from "@marquee/kit/tracing";
import { ContentSchema } from "@marquee/sdk/marquee/content/v1/content_pb";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { IngestJobSchema, StreamingService } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import test from "ava";
import { recordSpans, waitFor } from "../src/testing/index.js";
import { eventBusContract } from "./bus-contract.js";

// Before anything is wired: every hook looks once, when it is made.
const recorder = await recordSpans();
const log = createLogger("test", "silent");
const dirs: string[] = [];
const tmp = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-traced-bus-"));
  dirs.push(dir);
  return dir;
};
const tracer = (name: string) => tracerFor(name) as NonNullable<ReturnType<typeof tracerFor>>;
const NOT_FOUND = "00000000-0000-4000-8000-000000000404";
const BROKEN = "00000000-0000-4000-8000-000000000500";
let server: Server;

test.before(async () => {
  server = await serve({
    name: "traced",
    services: [ContentService, StreamingService],
    routes(r) {
      r.service(ContentService, {
        getContentDetails(req) {
          if (req.contentId === NOT_FOUND) throw new ConnectError("no such title", Code.NotFound);
          if (req.contentId === BROKEN) throw new ConnectError("the disk is on fire", Code.Internal);
          return { content: create(ContentSchema, { contentId: req.contentId }) };
        },
      });
      r.service(StreamingService, {
        async *watchIngest(req) {
          for (const progress of [0.5, 1]) {
            // Work done while the stream runs belongs to the call's span.
            await inSpan(tracer("traced"), "step", async () => {});
            yield { job: create(IngestJobSchema, { jobId: req.jobId, progress }) };
          }
        },
      });
    },
    port: 0,
    host: "127.0.0.1",
    log,
  });
});

test.after.always(async () => {
  await server?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

// Tracing on changes nothing the bus promises.
eventBusContract(
  test,
  async () => {
    const dir = tmp();
    return { bus: await EmbeddedBus.open(dir, log), reopen: () => EmbeddedBus.open(dir, log) };
  },
  "traced: ",
);

const spansOf = (traceId: string) => recorder.spans().filter((s) => s.spanContext().traceId === traceId);

test("the embedded bus carries the publisher's trace to the consumer: caller → publish → process", async (t) => {
  const bus = await EmbeddedBus.open(tmp(), log);
  t.teardown(() => bus.close());
  await inSpan(tracer("caller"), "caller", () =>
    bus.publish("user.deleted", new Uint8Array([1]), "traced-1"),
  );
  const caller = recorder.spans().find((s) => s.name === "caller");
  const traceId = caller?.spanContext().traceId ?? "";
  const seen: BusEvent[] = [];
  const sub = await bus.consume({
    stream: "DOMAIN",
    durable: "traced",
    handler: async (e) => void seen.push(e),
  });
  t.teardown(() => sub.stop());
  const consumed = await waitFor("the consumer's span", () =>
    spansOf(traceId).find((s) => s.kind === SpanKind.CONSUMER),
  );
  const published = spansOf(traceId).find((s) => s.kind === SpanKind.PRODUCER);
  t.is(published?.name, "publish DOMAIN");
  t.is(published?.parentSpanContext?.spanId, caller?.spanContext().spanId);
  t.is(consumed.name, "process DOMAIN");
  t.is(consumed.parentSpanContext?.spanId, published?.spanContext().spanId);
  t.is(consumed.attributes["messaging.system"], "marquee-embedded");
  t.is(consumed.attributes["messaging.consumer.group.name"], "traced");
  t.is(seen.length, 1);
});

test("a server stream's span covers the stream: the work done while it streams is its child", async (t) => {
  const client = createServiceClient(StreamingService, server.url);
  const progress: number[] = [];
  for await (const update of client.watchIngest({ jobId: "00000000-0000-4000-8000-000000000001" }))
    progress.push(update.job?.progress ?? -1);
  t.deepEqual(progress, [0.5, 1]);
  const called = await waitFor("the client's span of WatchIngest", () =>
    recorder.spans().find((s) => s.kind === SpanKind.CLIENT && s.name.endsWith("/WatchIngest")),
  );
  const spans = spansOf(called.spanContext().traceId);
  const served = spans.find((s) => s.kind === SpanKind.SERVER);
  t.is(
    served?.parentSpanContext?.spanId,
    called.spanContext().spanId,
    "the server continues the client's trace",
  );
  t.is(served?.attributes["rpc.method"], "WatchIngest");
  const steps = spans.filter((s) => s.name === "step");
  t.is(steps.length, 2);
  for (const step of steps) t.is(step.parentSpanContext?.spanId, served?.spanContext().spanId);
  t.is(served?.status.code, SpanStatusCode.UNSET);
});

test("a failed call's spans say its code; only a server fault marks the server's span an error", async (t) => {
  const client = createServiceClient(ContentService, server.url);
  for (const [contentId, code, serverError] of [
    [NOT_FOUND, "not_found", false],
    [BROKEN, "internal", true],
  ] as const) {
    await t.throwsAsync(client.getContentDetails({ contentId }));
    const called = await waitFor(`the client's span for ${code}`, () =>
      recorder
        .spans()
        .find((s) => s.kind === SpanKind.CLIENT && s.attributes["rpc.connect_rpc.error_code"] === code),
    );
    const served = spansOf(called.spanContext().traceId).find((s) => s.kind === SpanKind.SERVER);
    t.is(served?.attributes["rpc.connect_rpc.error_code"], code);
    t.is(called.status.code, SpanStatusCode.ERROR, "the caller did not get what it asked for");
    t.is(served?.status.code, serverError ? SpanStatusCode.ERROR : SpanStatusCode.UNSET, code);
  }
});
