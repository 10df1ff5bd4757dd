import { once } from "node:events";
import http from "node:http";
import { gzipSync } from "node:zlib";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { MaturityRating } from "@marquee/sdk/marquee/common/v1/maturity_pb";
import { ContentType } from "@marquee/sdk/marquee/content/v1/content_pb";
import {
  ContentService,
  CreateContentRequestSchema,
  SearchContentRequestSchema,
} from "@marquee/sdk/marquee/content/v1/content_service_pb";
import test from "ava";
import {
  ConfigError,
  createLogger,
  loadConfig,
  requestLimit,
  requestLimitVars,
  serve,
} from "../src/index.js";
import { connectCall, connectStreamCall, envelope, grpcCall, grpcWebCall } from "../src/testing/index.js";
import { serveTestContent, TestContent } from "./fixtures.js";

const MiB = 1024 * 1024;
const SEARCH = "/marquee.content.v1.ContentService/SearchContent";
const TOO_LARGE =
  "request too large: marquee.content.v1.ContentService/SearchContent takes at most 1048576 bytes (after decompression)";

/** A valid SearchContent request of about `bytes` bytes. */
const searchOf = (bytes: number) =>
  Buffer.from(
    toBinary(SearchContentRequestSchema, create(SearchContentRequestSchema, { query: "q".repeat(bytes) })),
  );

/** A promise and the function that settles it. */
function held() {
  let release: () => void = () => {};
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { promise, release };
}

test("a request over 1 MiB is ResourceExhausted over every protocol, compressed or not", async (t) => {
  const content = new TestContent();
  const server = await serveTestContent(content);
  t.teardown(() => server.close());
  const big = searchOf(2 * MiB);
  const outcomes = {
    connect: await connectCall(server.url + SEARCH, "application/proto", big),
    "connect gzip": await connectCall(server.url + SEARCH, "application/proto", gzipSync(big), {
      "content-encoding": "gzip",
    }),
    gRPC: await grpcCall(server.url + SEARCH, envelope(big)),
    "gRPC gzip": await grpcCall(server.url + SEARCH, envelope(gzipSync(big), 1), { "grpc-encoding": "gzip" }),
    "gRPC-Web": await grpcWebCall(server.url + SEARCH, envelope(big)),
  };
  t.true(gzipSync(big).length < 10_000, "the compressed body is small; only its inflated size is over");
  t.like(outcomes, {
    connect: { code: Code.ResourceExhausted, httpStatus: 429, message: TOO_LARGE },
    "connect gzip": { code: Code.ResourceExhausted, message: TOO_LARGE },
    gRPC: { code: Code.ResourceExhausted, message: TOO_LARGE },
    "gRPC gzip": { code: Code.ResourceExhausted, message: TOO_LARGE },
    "gRPC-Web": { code: Code.ResourceExhausted, message: TOO_LARGE },
  });
  t.is(content.calls, 0);
  const metrics = await (await fetch(`${server.adminUrl}/metrics`)).text();
  t.regex(
    metrics,
    /marquee_rpc_errors_total\{[^}]*method="SearchContent",code="resource_exhausted"[^}]*\} 5/,
  );
  // Just under the limit is read and handled.
  const client = createClient(ContentService, createGrpcTransport({ baseUrl: server.url }));
  const under = ConnectError.from(
    await client.searchContent({ query: "q".repeat(MiB - 100), pageSize: 5 }).catch((e) => e),
  );
  t.not(under.code, Code.ResourceExhausted, under.rawMessage);
});

test("a gRPC message whose length prefix says too much is refused before the rest is sent", async (t) => {
  const server = await serveTestContent(new TestContent());
  t.teardown(() => server.close());
  const rest = held();
  const prefix = Buffer.from([0, 0, 0x40, 0, 0]); // 4 MiB promised
  const outcome = await grpcCall(
    server.url + SEARCH,
    (async function* () {
      yield Buffer.concat([prefix, Buffer.alloc(1024)]);
      await rest.promise;
    })(),
  );
  rest.release();
  t.like(outcome, { code: Code.ResourceExhausted, message: TOO_LARGE });
});

test("an HTTP/1.1 body announced over the limit is refused before it is sent", async (t) => {
  const server = await serveTestContent(new TestContent());
  t.teardown(() => server.close());
  const req = http.request(server.url + SEARCH, {
    method: "POST",
    headers: { "content-type": "application/proto", "content-length": String(20 * MiB) },
  });
  req.on("error", () => {});
  req.write(Buffer.alloc(64 * 1024));
  const [res] = (await once(req, "response")) as [http.IncomingMessage];
  const body = JSON.parse((await res.toArray()).join(""));
  req.destroy();
  t.is(res.statusCode, 429);
  t.deepEqual(body, { code: "resource_exhausted", message: TOO_LARGE });
  t.is(res.headers.connection, "close", "the rest of the body is not read to keep the connection");
});

test("over HTTP/1.1 a refusal before the body is read whole closes the connection, so the next call is unharmed", async (t) => {
  const server = await serveTestContent(new TestContent());
  t.teardown(() => server.close());
  const watch = `${server.url}/grpc.health.v1.Health/Watch`;
  for (let i = 0; i < 5; i++) {
    const refused = await connectStreamCall(watch, "proto", envelope(searchOf(2 * MiB)));
    t.like(refused, { code: Code.ResourceExhausted });
    t.is(refused.headers.get("connection"), "close");
    const next = await connectCall(server.url + SEARCH, "application/json", '{"query": "x", "pageSize": 5}');
    t.like(next, { code: Code.NotFound, message: "no such genre" }, "the fixture's handler answered");
    t.is(next.headers.get("connection"), "keep-alive", "a call read whole keeps its connection");
  }
});

test("the limit is configurable, and writes of a whole title may be larger", async (t) => {
  const server = await serve({
    name: "limits",
    services: [ContentService],
    routes: (router) => router.service(ContentService, new TestContent().impl()),
    port: 0,
    host: "127.0.0.1",
    log: createLogger("limits", "silent"),
    requestLimit: requestLimit(
      loadConfig(requestLimitVars, {
        MARQUEE_MAX_REQUEST_BYTES: "4096",
        MARQUEE_MAX_CATALOG_WRITE_BYTES: "3145728",
      }),
    ),
  });
  t.teardown(() => server.close());
  const small = await grpcCall(server.url + SEARCH, envelope(searchOf(5000)));
  t.like(small, {
    code: Code.ResourceExhausted,
    message:
      "request too large: marquee.content.v1.ContentService/SearchContent takes at most 4096 bytes (after decompression)",
  });
  const client = createClient(ContentService, createGrpcTransport({ baseUrl: server.url }));
  const series = (episodes: number) =>
    create(CreateContentRequestSchema, {
      content: {
        type: ContentType.SERIES,
        title: "A long-running series",
        genreIds: ["drama"],
        releaseDate: "2001-02-03",
        duration: { seconds: 1800n },
        maturityRating: MaturityRating.ALL,
        seasons: [
          {
            seasonNumber: 1,
            title: "Season 1",
            episodes: Array.from({ length: episodes }, (_, i) => ({
              episodeNumber: i + 1,
              title: `Episode ${i + 1}`,
              synopsis: "s".repeat(500),
            })),
          },
        ],
      },
    });
  const twoMiB = series(4500);
  t.true(toBinary(CreateContentRequestSchema, twoMiB).length > 2 * MiB);
  const taken = ConnectError.from(await client.createContent(twoMiB).catch((e) => e));
  t.is(
    taken.code,
    Code.Unimplemented,
    `decoded whole, then refused by the fixture: ${taken.rawMessage.slice(0, 300)}`,
  );
  const tooMany = ConnectError.from(await client.createContent(series(7000)).catch((e) => e));
  t.is(tooMany.code, Code.ResourceExhausted);
  t.regex(tooMany.rawMessage, /CreateContent takes at most 3145728 bytes/);
});

test("a bad limit stops the process at start, naming the variable", (t) => {
  const err = t.throws(() => loadConfig(requestLimitVars, { MARQUEE_MAX_REQUEST_BYTES: "1MB" }), {
    instanceOf: ConfigError,
  });
  t.regex(err.message, /MARQUEE_MAX_REQUEST_BYTES="1MB"/);
  t.throws(() => loadConfig(requestLimitVars, { MARQUEE_MAX_CATALOG_WRITE_BYTES: "0" }), {
    instanceOf: ConfigError,
  });
});
