import http from "node:http";
import { ViolationsSchema } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import type { Transport } from "@connectrpc/connect";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { encodeCaller } from "@marquee/kit";
import { Health, HealthCheckResponse_ServingStatus } from "@marquee/sdk/grpc/health/v1/health_pb";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import test from "ava";
import { serveTestContent, TestContent } from "./fixtures.js";

const VALID_ID = "6f1c2b9e-3c4d-4e5f-8a9b-0c1d2e3f4a5b";

const transports: Record<string, (baseUrl: string) => Transport> = {
  "connect over HTTP/1.1": (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1" }),
  "connect over h2c": (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "2" }),
  "grpc over h2c": (baseUrl) => createGrpcTransport({ baseUrl }),
  "grpc-web over HTTP/1.1": (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }),
  "grpc-web over h2c": (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "2" }),
};

for (const [name, makeTransport] of Object.entries(transports)) {
  test(`serves a call and validation errors over ${name}`, async (t) => {
    const content = new TestContent();
    const server = await serveTestContent(content);
    t.teardown(() => server.close());
    const client = createClient(ContentService, makeTransport(server.url));

    const ok = await client.getContentDetails({ contentId: VALID_ID });
    t.is(ok.content?.contentId, VALID_ID);

    const err = await t.throwsAsync(client.getContentDetails({ contentId: "not-a-uuid" }));
    const ce = ConnectError.from(err);
    t.is(ce.code, Code.InvalidArgument);
    t.regex(ce.rawMessage, /content_id: .*\[string\.uuid\]/);
    t.is(content.calls, 1, "the handler never ran for the invalid request");
  });
}

test("a request with several bad fields names each field and rule", async (t) => {
  const content = new TestContent();
  const server = await serveTestContent(content);
  t.teardown(() => server.close());
  const client = createClient(ContentService, createGrpcTransport({ baseUrl: server.url }));
  const err = ConnectError.from(
    await t.throwsAsync(
      client.searchContent({ query: "x".repeat(10_000), pageSize: 0, genreIds: ["Not A Slug"] }),
    ),
  );
  t.is(err.code, Code.InvalidArgument);
  for (const expected of [
    "query",
    "string.max_len",
    "page_size",
    "int32.gte_lte",
    "genre_ids[0]",
    "string.pattern",
  ]) {
    t.true(err.rawMessage.includes(expected), `message names ${expected}: ${err.rawMessage}`);
  }
  const [violations] = err.findDetails(ViolationsSchema);
  t.is(violations?.violations.length, 3);
  t.is(content.calls, 0);
});

test("an unexpected error becomes Internal without its text or stack", async (t) => {
  const server = await serveTestContent(new TestContent());
  t.teardown(() => server.close());
  const client = createClient(
    ContentService,
    createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }),
  );
  const err = ConnectError.from(await t.throwsAsync(client.getGenres({})));
  t.is(err.code, Code.Internal);
  t.regex(err.rawMessage, /^internal error; request id [0-9a-f-]{36}$/);
  t.false(JSON.stringify(err).includes("secret"));
});

test("a ConnectError thrown by a handler reaches the client unchanged", async (t) => {
  const server = await serveTestContent(new TestContent());
  t.teardown(() => server.close());
  const client = createClient(ContentService, createGrpcTransport({ baseUrl: server.url }));
  const err = ConnectError.from(await t.throwsAsync(client.searchContent({ query: "x", pageSize: 5 })));
  t.is(err.code, Code.NotFound);
  t.is(err.rawMessage, "no such genre");
});

test("a handler that ignores its deadline still answers DeadlineExceeded in time", async (t) => {
  const server = await serveTestContent(new TestContent());
  t.teardown(() => server.close());
  const client = createClient(ContentService, createGrpcTransport({ baseUrl: server.url }));
  const started = Date.now();
  const err = ConnectError.from(
    await t.throwsAsync(client.browseContent({ pageSize: 10 }, { timeoutMs: 300 })),
  );
  t.is(err.code, Code.DeadlineExceeded);
  t.true(Date.now() - started < 5_000);
});

test("the caller header reaches the handler and the request id comes back", async (t) => {
  const server = await serveTestContent(new TestContent());
  t.teardown(() => server.close());
  const client = createClient(ContentService, createGrpcTransport({ baseUrl: server.url }));
  const caller = { kind: "member" as const, userId: "u-1", scopes: [] };
  let requestId = "";
  const res = await client.getContentDetails(
    { contentId: VALID_ID },
    {
      headers: { "x-marquee-caller": encodeCaller(caller), "x-request-id": "req-42" },
      onHeader: (h) => {
        requestId = h.get("x-request-id") ?? "";
      },
      timeoutMs: 10_000,
    },
  );
  const seen = JSON.parse(res.content?.title ?? "{}");
  t.deepEqual(seen.caller, caller);
  t.true(seen.timeoutMs > 0 && seen.timeoutMs <= 10_000, "the deadline is visible to the handler");
  t.is(requestId, "req-42");
});

test("health answers SERVING, NotFound for unknown services, NOT_SERVING while draining", async (t) => {
  const content = new TestContent();
  const server = await serveTestContent(content);
  const health = createClient(Health, createGrpcTransport({ baseUrl: server.url }));
  t.is((await health.check({})).status, HealthCheckResponse_ServingStatus.SERVING);
  t.is(
    (await health.check({ service: ContentService.typeName })).status,
    HealthCheckResponse_ServingStatus.SERVING,
  );
  const err = ConnectError.from(await t.throwsAsync(health.check({ service: "nope.v1.Nope" })));
  t.is(err.code, Code.NotFound);

  const watch = health.watch({ service: ContentService.typeName })[Symbol.asyncIterator]();
  t.is((await watch.next()).value?.status, HealthCheckResponse_ServingStatus.SERVING);
  const closing = server.close();
  t.is((await watch.next()).value?.status, HealthCheckResponse_ServingStatus.NOT_SERVING);
  await closing;
});

test("shutdown drains a call in flight, then refuses new connections", async (t) => {
  const content = new TestContent();
  const server = await serveTestContent(content);
  const client = createClient(ContentService, createGrpcTransport({ baseUrl: server.url }));
  const inFlight = client.getTrending({ pageSize: 5 });
  await content.entered;
  let closed = false;
  const closing = server.close().then(() => {
    closed = true;
  });
  t.false(closed, "close waits while a call is in flight");
  t.is(server.inFlight.count, 1);
  const fresh = createClient(ContentService, createGrpcTransport({ baseUrl: server.url }));
  const refused = ConnectError.from(await t.throwsAsync(fresh.getContentDetails({ contentId: VALID_ID })));
  t.is(refused.code, Code.Unavailable);
  content.release();
  t.deepEqual((await inFlight).items, []);
  await closing;
  t.true(closed);
});

test("shutdown closes HTTP/1.1 keep-alive connections as they fall idle, without waiting out their timeout", async (t) => {
  const content = new TestContent();
  const server = await serveTestContent(content);
  const agent = new http.Agent({ keepAlive: true });
  t.teardown(() => agent.destroy());
  const client = createClient(
    ContentService,
    createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", nodeOptions: { agent } }),
  );
  // One connection left idle, one whose call answers after the drain has begun.
  await client.getContentDetails({ contentId: VALID_ID });
  const inFlight = client.getTrending({ pageSize: 5 });
  await content.entered;
  const closing = Date.now();
  const closed = server.close();
  content.release();
  await inFlight;
  await closed;
  t.true(Date.now() - closing < 2_000, `closed in ${Date.now() - closing} ms (keep-alive timeout: 5 s)`);
});

test("shutdown gives up on a call that outlives the drain timeout", async (t) => {
  const content = new TestContent();
  const server = await serveTestContent(content, 200);
  const client = createClient(ContentService, createGrpcTransport({ baseUrl: server.url }));
  const inFlight = client.getTrending({ pageSize: 5 });
  await content.entered;
  await server.close();
  const err = ConnectError.from(await t.throwsAsync(inFlight));
  t.not(err.code, Code.Unimplemented);
});

test("metrics count calls by code and record latency per RPC, on the admin port only", async (t) => {
  const server = await serveTestContent(new TestContent());
  t.teardown(() => server.close());
  const client = createClient(ContentService, createGrpcTransport({ baseUrl: server.url }));
  await client.getContentDetails({ contentId: VALID_ID });
  await t.throwsAsync(client.getContentDetails({ contentId: "bad" }));
  t.is((await fetch(`${server.url}/metrics`)).status, 404, "the RPC port shows no metrics");
  const body = await (await fetch(`${server.adminUrl}/metrics`)).text();
  t.regex(
    body,
    /marquee_rpc_calls_total\{service="marquee.content.v1.ContentService",method="GetContentDetails",code="ok"[^}]*\} 1/,
  );
  t.regex(body, /marquee_rpc_errors_total\{[^}]*method="GetContentDetails",code="invalid_argument"[^}]*\} 1/);
  t.regex(body, /marquee_rpc_duration_seconds_count\{[^}]*method="GetContentDetails"[^}]*\} 2/);
});
