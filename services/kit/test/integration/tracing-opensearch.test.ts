import { randomBytes } from "node:crypto";
import { loadBackendsConfig } from "@marquee/kit";
import { createSearchClient } from "@marquee/kit/opensearch";
import { inSpan, tracerFor } from "@marquee/kit/tracing";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import test from "ava";
import { recordSpans } from "../../src/testing/index.js";

// Before the client is made: it looks once.
const recorder = await recordSpans();
const client = createSearchClient(loadBackendsConfig().opensearch);
const tracer = tracerFor("caller") as NonNullable<ReturnType<typeof tracerFor>>;

test("each OpenSearch request is a client span under the caller's, named by index and endpoint, without its body", async (t) => {
  const index = `test-traced-${randomBytes(4).toString("hex")}`;
  t.teardown(() => client.indices.delete({ index }).then(() => {}));
  await client.indices.create({ index });
  const res = await inSpan(tracer, "caller", () =>
    client.search({ index, body: { query: { match: { title: "a member's words" } } } }),
  );
  t.is(res.statusCode, 200, "the answer is the client's, unchanged");
  const caller = recorder.spans().find((s) => s.name === "caller");
  const search = recorder.spans().find((s) => s.name === `POST ${index}/_search`);
  t.is(search?.kind, SpanKind.CLIENT);
  t.is(search?.instrumentationScope.name, "opensearch");
  t.is(search?.parentSpanContext?.spanId, caller?.spanContext().spanId);
  t.is(search?.attributes["db.system.name"], "opensearch");
  t.false(JSON.stringify(search?.attributes).includes("member's words"));
});

test("a refused request fails its span and reaches the caller with the client's error intact", async (t) => {
  const index = `test-missing-${randomBytes(4).toString("hex")}`;
  const err = await t.throwsAsync(client.search({ index, body: { query: { match_all: {} } } }));
  t.is((err as { statusCode?: number }).statusCode, 404);
  const search = recorder.spans().find((s) => s.name === `POST ${index}/_search`);
  t.is(search?.status.code, SpanStatusCode.ERROR);
});
