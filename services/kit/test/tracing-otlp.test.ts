import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { inSpan, startTracing, tracerFor } from "@marquee/kit/tracing";
import test from "ava";

test("with OTEL_EXPORTER_OTLP_ENDPOINT set, spans leave over OTLP/HTTP (protobuf) to its /v1/traces", async (t) => {
  const received: Array<{ url: string; type: string; body: Buffer }> = [];
  const collector = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        url: req.url ?? "",
        type: String(req.headers["content-type"]),
        body: Buffer.concat(chunks),
      });
      res.writeHead(200, { "content-type": "application/x-protobuf" });
      res.end();
    });
  });
  collector.listen(0, "127.0.0.1");
  await once(collector, "listening");
  t.teardown(() => collector.close());
  const { port } = collector.address() as AddressInfo;

  const tracing = await startTracing("otlp-test", {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}/`,
  });
  const tracer = tracerFor("probe");
  t.truthy(tracer, "hooks are installed once tracing is on");
  await inSpan(tracer as NonNullable<typeof tracer>, "exported-span", async () => {});
  // Shutting down sends what the batch still holds.
  await tracing.shutdown();

  t.is(received.length, 1);
  const [sent] = received;
  t.is(sent?.url, "/v1/traces");
  t.is(sent?.type, "application/x-protobuf");
  // Protobuf keeps strings as they are: the span's name and the process's service name are in the body.
  t.true(sent?.body.includes("exported-span"));
  t.true(sent?.body.includes("otlp-test"));
  t.is(tracerFor("probe"), undefined, "off again after shutdown");
});
