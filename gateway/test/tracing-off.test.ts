import { create } from "@bufbuild/protobuf";
import { createClient, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { ConfigError, createLogger, type Server, serve } from "@marquee/kit";
import { startTracing, tracerFor } from "@marquee/kit/tracing";
import { ContentSchema } from "@marquee/sdk/marquee/content/v1/content_pb";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { trace } from "@opentelemetry/api";
import test from "ava";
import { hashApiKey } from "../src/partner-keys.js";
import { startGateway } from "../src/start.js";

/** Tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT), as the gateway and every service run by default. */
const ID = "0b7a1f7e-1c2d-4e3f-9a8b-7c6d5e4f3a2b";
const API_KEY = "test-partner-key-0123456789";
let upstream: Server;
let gateway: Server;

test.before(async () => {
  await startTracing("gateway", { OTEL_EXPORTER_OTLP_ENDPOINT: "" });
  upstream = await serve({
    name: "content-stand-in",
    services: [ContentService],
    routes: (r) =>
      r.service(ContentService, {
        // Says which traceparent reached the service, if any.
        getContentDetails: (req, ctx) => ({
          content: create(ContentSchema, {
            contentId: req.contentId,
            title: ctx.requestHeader.get("traceparent") ?? "none",
          }),
        }),
      }),
    port: 0,
    host: "127.0.0.1",
    log: createLogger("test", "silent"),
  });
  gateway = await startGateway({
    MARQUEE_GATEWAY_PORT: "0",
    MARQUEE_LOG_LEVEL: "silent",
    MARQUEE_CONTENT_URL: upstream.url,
    MARQUEE_PARTNER_API_KEYS: `acme:${hashApiKey(API_KEY)}:`,
  });
});

test.after.always(async () => {
  await gateway?.close();
  await upstream?.close();
});

test("without an endpoint no tracer provider is registered: the API stays on its no-op tracer", (t) => {
  t.is(tracerFor("gateway"), undefined, "no hook is installed");
  const probe = trace.getTracer("probe").startSpan("probe");
  t.false(probe.isRecording());
  t.is(probe.spanContext().traceId, "00000000000000000000000000000000");
});

test("a malformed endpoint is a configuration error naming the variable", async (t) => {
  const err = await t.throwsAsync(startTracing("gateway", { OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" }));
  t.true(err instanceof ConfigError);
  t.regex(err?.message ?? "", /OTEL_EXPORTER_OTLP_ENDPOINT/);
  t.is(tracerFor("gateway"), undefined);
});

const transports: Record<string, (baseUrl: string) => Transport> = {
  "binary Connect (pass-through)": (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1" }),
  "gRPC (pass-through)": (baseUrl) => createGrpcTransport({ baseUrl }),
  "gRPC-Web (pass-through)": (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }),
  "Connect JSON (forwarder)": (baseUrl) =>
    createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false }),
};

for (const [name, transport] of Object.entries(transports)) {
  test(`a client's traceparent, well-formed or not, is ignored over ${name}`, async (t) => {
    const client = createClient(ContentService, transport(gateway.url));
    for (const traceparent of ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "garbage"]) {
      const res = await client.getContentDetails(
        { contentId: ID },
        { headers: { "x-api-key": API_KEY, traceparent } },
      );
      t.is(res.content?.contentId, ID);
      t.is(res.content?.title, "none", "nothing traces here, so nothing passes a trace on");
    }
  });
}
