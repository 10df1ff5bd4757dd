import { gzipSync } from "node:zlib";
import { Code } from "@connectrpc/connect";
import test from "ava";
import type { Server } from "../src/index.js";
import { connectCall, envelope, grpcCall, grpcWebCall, type RawOutcome } from "../src/testing/index.js";
import { serveTestContent, TestContent } from "./fixtures.js";

const SEARCH = "/marquee.content.v1.ContentService/SearchContent";
const WATCH = "/grpc.health.v1.Health/Watch";
const GARBAGE = Buffer.from("ffffffff0f", "hex");
const NOT_SEARCH =
  "malformed request: not a valid marquee.content.v1.SearchContentRequest in protobuf binary (illegal tag: field no 536870911 wire type 7)";
/** Signs of a stack trace or a server path in a message. */
const LEAK = /\bat \S+ \(|node_modules|\/src\/|\.ts:\d/;

async function errorCounts(server: Server): Promise<Record<string, number>> {
  const text = await (await fetch(`${server.adminUrl}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(/^marquee_rpc_errors_total\{[^}]*method="(\w+)",code="(\w+)"[^}]*\} (\d+)/gm))
    counts[`${m[1]}:${m[2]}`] = Number(m[3]);
  return counts;
}

test("undecodable protobuf is InvalidArgument naming the problem over Connect, gRPC and gRPC-Web, and counted so", async (t) => {
  const content = new TestContent();
  const server = await serveTestContent(content);
  t.teardown(() => server.close());
  const outcomes: Record<string, RawOutcome> = {
    connect: await connectCall(server.url + SEARCH, "application/proto", GARBAGE),
    gRPC: await grpcCall(server.url + SEARCH, envelope(GARBAGE)),
    "gRPC-Web": await grpcWebCall(server.url + SEARCH, envelope(GARBAGE)),
  };
  t.like(outcomes, {
    connect: { code: Code.InvalidArgument, httpStatus: 400, message: NOT_SEARCH },
    gRPC: { code: Code.InvalidArgument, message: NOT_SEARCH },
    "gRPC-Web": { code: Code.InvalidArgument, message: NOT_SEARCH },
  });
  for (const [name, outcome] of Object.entries(outcomes))
    t.regex(outcome.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/, `${name} carries a request id`);
  const truncated = await grpcCall(server.url + SEARCH, envelope(Buffer.from("0a05616263", "hex")));
  t.like(truncated, { code: Code.InvalidArgument });
  t.regex(truncated.message, /^malformed request: not a valid marquee\.content\.v1\.SearchContentRequest/);
  t.is(content.calls, 0, "no handler ran");
  t.deepEqual(await errorCounts(server), { "SearchContent:invalid_argument": 4 });
});

test("malformed JSON and bytes that are not UTF-8 are InvalidArgument, counted so", async (t) => {
  const content = new TestContent();
  const server = await serveTestContent(content);
  t.teardown(() => server.close());
  const json = await connectCall(server.url + SEARCH, "application/json", '{"query": "x",');
  t.like(json, { code: Code.InvalidArgument, httpStatus: 400 });
  t.regex(json.message, /^malformed JSON: /);
  const latin1 = await connectCall(
    server.url + SEARCH,
    "application/json",
    Buffer.from('{"query":"\xe9"}', "latin1"),
  );
  t.like(latin1, {
    code: Code.InvalidArgument,
    message: "malformed request: the JSON body is not valid UTF-8",
  });
  const wrongType = await connectCall(server.url + SEARCH, "application/json", '{"query": 5}');
  t.like(wrongType, {
    code: Code.InvalidArgument,
    message:
      "cannot decode field marquee.content.v1.SearchContentRequest.query from JSON: expected string, got 5",
  });
  t.is(content.calls, 0);
  t.deepEqual(await errorCounts(server), { "SearchContent:invalid_argument": 3 });
});

test("a broken compressed message is the client's fault too", async (t) => {
  const server = await serveTestContent(new TestContent());
  t.teardown(() => server.close());
  const notGzip = await grpcCall(server.url + SEARCH, envelope(Buffer.from("not gzip"), 1), {
    "grpc-encoding": "gzip",
  });
  t.is(notGzip.code, Code.InvalidArgument);
  const undeclared = await grpcCall(server.url + SEARCH, envelope(gzipSync(Buffer.from("0a0178", "hex")), 1));
  t.like(undeclared, {
    code: Code.InvalidArgument,
    message: "malformed request: received compressed envelope, but do not know how to decompress",
  });
  const connectGzip = await connectCall(server.url + SEARCH, "application/proto", Buffer.from("nope"), {
    "content-encoding": "gzip",
  });
  t.like(connectGzip, { code: Code.InvalidArgument, httpStatus: 400 });
  t.deepEqual(await errorCounts(server), { "SearchContent:invalid_argument": 3 });
});

test("a server stream's undecodable request is InvalidArgument too", async (t) => {
  const server = await serveTestContent(new TestContent());
  t.teardown(() => server.close());
  const outcome = await grpcCall(server.url + WATCH, envelope(GARBAGE));
  t.like(outcome, {
    code: Code.InvalidArgument,
    message:
      "malformed request: not a valid grpc.health.v1.HealthCheckRequest in protobuf binary (illegal tag: field no 536870911 wire type 7)",
  });
  t.deepEqual(await errorCounts(server), { "Watch:invalid_argument": 1 });
});

test("no refusal of a malformed request shows a stack or a server path", async (t) => {
  const server = await serveTestContent(new TestContent());
  t.teardown(() => server.close());
  const bodies = [GARBAGE, Buffer.from("0a"), Buffer.from([0x0a, 0x02, 0xff, 0xfe]), Buffer.alloc(64, 0xff)];
  for (const body of bodies) {
    for (const outcome of [
      await connectCall(server.url + SEARCH, "application/proto", body),
      await grpcCall(server.url + SEARCH, envelope(body)),
      await grpcWebCall(server.url + SEARCH, envelope(body)),
    ]) {
      t.is(outcome.code, Code.InvalidArgument, outcome.message);
      t.notRegex(outcome.message, LEAK);
    }
  }
});
