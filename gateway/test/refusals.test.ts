import { execFile } from "node:child_process";
import { once } from "node:events";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { DescMethodUnary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { createLogger, type Server, serve } from "@marquee/kit";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import {
  type GetUserRequestSchema,
  type GetUserResponseSchema,
  UserService,
} from "@marquee/sdk/marquee/user/v1/user_service_pb";
import test from "ava";
import { pythonWith } from "../../scripts/python/venv.js";
import { hashApiKey } from "../src/partner-keys.js";
import { startGateway } from "../src/start.js";
import { closedPort } from "./fixtures/processes.js";
import { TestSigner } from "./fixtures/tokens.js";

/**
 * Every refusal the gateway makes itself, read by stock clients: grpc-js,
 * grpcio (Python) and a raw HTTP/2 client checking the frames (one HEADERS
 * frame with END_STREAM: trailers-only). Upstreams: a stand-in user service
 * (signing keys, so tokens can be checked), a content/streaming upstream
 * that never answers, and no feedback service at all. The gateway caps
 * unary deadlines at 3 s here (room for a slow token check on a busy machine), so its own deadline comes long before the
 * client's.
 */
const USER_ID = "0b7a1f7e-1c2d-4e3f-9a8b-7c6d5e4f3a2b";
const SESSION = "11111111-2222-4333-8444-555555555555";
const API_KEY = "refusals-partner-key-0123";
const root = fileURLToPath(new URL("../../", import.meta.url));

interface Refusal {
  name: string;
  path: string;
  metadata: Record<string, string>;
  stream?: boolean;
  code: Code;
  message: RegExp;
}

const signer = new TestSigner(USER_ID, SESSION);
let users: Server;
let blackHole: http2.Http2Server;
const held = new Set<http2.ServerHttp2Stream>();
let gateway: Server;
let refusals: Refusal[];

test.before(async () => {
  await signer.newKey("k1");
  users = await serve({
    name: "fake-user",
    services: [UserService],
    routes(router) {
      router.service(UserService, {
        getSigningKeys: () => ({ jwksJson: signer.jwksJson() }),
        checkSession: () => ({ active: true }),
      });
    },
    port: 0,
    host: "127.0.0.1",
    log: createLogger("fake-user", "silent"),
  });
  // Takes every call and never answers it.
  blackHole = http2.createServer();
  blackHole.on("stream", (stream) => {
    held.add(stream);
    stream.on("error", () => {}); // the gateway cancels what it gave up on
    stream.on("close", () => held.delete(stream));
  });
  blackHole.listen(0, "127.0.0.1");
  await once(blackHole, "listening");
  const silent = `http://127.0.0.1:${(blackHole.address() as AddressInfo).port}`;
  gateway = await startGateway({
    MARQUEE_GATEWAY_PORT: "0",
    MARQUEE_LOG_LEVEL: "silent",
    MARQUEE_USER_URL: users.url,
    MARQUEE_CONTENT_URL: silent,
    MARQUEE_STREAMING_URL: silent,
    MARQUEE_FEEDBACK_URL: `http://127.0.0.1:${await closedPort()}`,
    MARQUEE_PARTNER_API_KEYS: `acme:${hashApiKey(API_KEY)}:media:write`,
    MARQUEE_GATEWAY_UPSTREAM_TIMEOUT_MS: "3000",
    MARQUEE_GATEWAY_MAX_TIMEOUT_MS: "3000",
  });
  // The first token check fetches the signing keys; done here, it is not timed by a test's deadline.
  await fetch(`${gateway.url}/marquee.content.v1.ContentService/GetContentDetails`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer warm-up" },
    body: "{}",
  });
  const expired = await signer.mint({ exp: Math.floor(Date.now() / 1000) - 5 });
  const partner = { "x-api-key": API_KEY };
  refusals = [
    {
      name: "bad token",
      path: "/marquee.content.v1.ContentService/GetContentDetails",
      metadata: { authorization: "Bearer not-a-token" },
      code: Code.Unauthenticated,
      message: /^the access token is not valid; sign in again$/,
    },
    {
      name: "expired token",
      path: "/marquee.content.v1.ContentService/GetContentDetails",
      metadata: { authorization: `Bearer ${expired}` },
      code: Code.Unauthenticated,
      message: /^the access token has expired; refresh the session \(RefreshSession\)$/,
    },
    {
      name: "internal-only RPC",
      path: "/marquee.user.v1.UserService/CheckSession",
      metadata: partner,
      code: Code.PermissionDenied,
      message: /^marquee\.user\.v1\.UserService\/CheckSession is internal to Marquee/,
    },
    {
      name: "deadline",
      path: "/marquee.content.v1.ContentService/GetGenres",
      metadata: partner,
      code: Code.DeadlineExceeded,
      message: /^the call took longer than 3000 ms, the longest deadline the gateway gives a call$/,
    },
    {
      name: "upstream down",
      path: "/marquee.feedback.v1.FeedbackService/GetContentRatings",
      metadata: {},
      code: Code.Unavailable,
      message: /^the feedback service is unavailable; try again$/,
    },
    {
      name: "unknown method",
      path: "/marquee.user.v1.UserService/Nope",
      metadata: {},
      code: Code.Unimplemented,
      message: /^marquee\.user\.v1\.UserService has no method Nope$/,
    },
    {
      name: "unknown service",
      path: "/foo.Bar/Baz",
      metadata: {},
      code: Code.Unimplemented,
      message:
        /^no RPC at \/foo\.Bar\/Baz; this server serves grpc\.health\.v1\.Health, grpc\.reflection\.v1\.ServerReflection, .*marquee\./,
    },
    {
      name: "stream refused on the generic path",
      path: "/marquee.streaming.v1.StreamingService/WatchIngest",
      metadata: { authorization: "Bearer not-a-token" },
      stream: true,
      code: Code.Unauthenticated,
      message: /^the access token is not valid; sign in again$/,
    },
  ];
});

test.after.always(async () => {
  await gateway?.close();
  await users?.close();
  for (const stream of held) stream.close();
  blackHole?.close();
});

/** The client deadline every probe sets: far past the gateway's 3 s cap. */
const CLIENT_DEADLINE_S = 30;

test("a stock @grpc/grpc-js client reads the code and message of every refusal", async (t) => {
  const client = new grpc.Client(`127.0.0.1:${gateway.port}`, grpc.credentials.createInsecure());
  t.teardown(() => client.close());
  const same = (b: Buffer) => b;
  for (const r of refusals) {
    const metadata = new grpc.Metadata();
    for (const [k, v] of Object.entries(r.metadata)) metadata.set(k, v);
    const options = { deadline: Date.now() + CLIENT_DEADLINE_S * 1000 };
    const err = await new Promise<grpc.ServiceError>((resolve) => {
      if (r.stream) {
        const call = client.makeServerStreamRequest(r.path, same, same, Buffer.alloc(0), metadata, options);
        call.on("data", () => {});
        call.on("error", resolve);
      } else {
        client.makeUnaryRequest(r.path, same, same, Buffer.alloc(0), metadata, options, (e) =>
          resolve(e as grpc.ServiceError),
        );
      }
    });
    t.is(err.code, r.code as number, r.name);
    t.regex(err.details, r.message, r.name);
  }
});

test("a stock Python grpcio client reads the code and message of every refusal", async (t) => {
  t.timeout(5 * 60_000, "the first run installs grpcio into a cached virtualenv");
  const python = await pythonWith(`${root}scripts/python/requirements.txt`);
  const job = {
    target: `127.0.0.1:${gateway.port}`,
    calls: refusals.map((r) => ({
      path: r.path,
      metadata: Object.entries(r.metadata),
      stream: r.stream === true,
      timeout: CLIENT_DEADLINE_S,
    })),
  };
  const { stdout } = await promisify(execFile)(python, [
    fileURLToPath(new URL("fixtures/grpcio_probe.py", import.meta.url)),
    JSON.stringify(job),
  ]);
  const read = JSON.parse(stdout) as { code: number; details: string }[];
  for (const [i, r] of refusals.entries()) {
    t.is(read[i]?.code, r.code as number, `${r.name}: ${read[i]?.details}`);
    t.regex(read[i]?.details ?? "", r.message, r.name);
  }
});

test("every refusal is one HEADERS frame with END_STREAM (trailers-only), no DATA frame", async (t) => {
  const session = http2.connect(gateway.url);
  t.teardown(() => session.close());
  for (const r of refusals) {
    const stream = session.request({
      ":method": "POST",
      ":path": r.path,
      "content-type": "application/grpc",
      te: "trailers",
      "grpc-timeout": `${CLIENT_DEADLINE_S}S`,
      ...r.metadata,
    });
    let flags = 0;
    let headers: http2.IncomingHttpHeaders = {};
    let dataBytes = 0;
    let trailers = false;
    stream.on("response", (h, f) => {
      headers = h;
      flags = f;
    });
    stream.on("data", (chunk: Buffer) => {
      dataBytes += chunk.length;
    });
    stream.on("trailers", () => {
      trailers = true;
    });
    stream.end(Buffer.from([0, 0, 0, 0, 0]));
    await once(stream, "close");
    t.true((flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0, `${r.name}: END_STREAM on HEADERS`);
    t.is(dataBytes, 0, r.name);
    t.false(trailers, `${r.name}: no second HEADERS frame`);
    t.is(Number(headers[":status"]), 200, r.name);
    t.regex(String(headers["content-type"]), /^application\/grpc/, r.name);
    t.is(headers["grpc-status"], String(r.code), r.name);
    t.regex(decodeURIComponent(String(headers["grpc-message"])), r.message, r.name);
  }
});

/** GetUser of UserService under a name the service does not have. */
const NOPE = { ...UserService.method.getUser, name: "Nope" } as DescMethodUnary<
  typeof GetUserRequestSchema,
  typeof GetUserResponseSchema
>;

const transports: Record<string, (baseUrl: string) => Transport> = {
  "connect (JSON)": (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1" }),
  "connect (binary)": (baseUrl) =>
    createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true }),
  grpc: (baseUrl) => createGrpcTransport({ baseUrl }),
  "grpc-web": (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }),
};

for (const [protocol, makeTransport] of Object.entries(transports)) {
  test(`an unknown method is Unimplemented over ${protocol}, with a message naming it`, async (t) => {
    const transport = makeTransport(gateway.url);
    const err = ConnectError.from(
      await t.throwsAsync(transport.unary(NOPE, undefined, 5_000, undefined, { userId: USER_ID })),
    );
    t.is(err.code, Code.Unimplemented);
    t.is(err.rawMessage, "marquee.user.v1.UserService has no method Nope");
  });
}

test("connect clients get HTTP 404 with a Connect error body; browser GETs still reach the app", async (t) => {
  for (const [contentType, payload] of [
    ["application/json", "{}"],
    ["application/proto", new Uint8Array()],
    ["application/connect+json", "{}"],
  ] as const) {
    const res = await fetch(`${gateway.url}/foo.Bar/Baz`, {
      method: "POST",
      headers: { "content-type": contentType },
      body: payload,
    });
    t.is(res.status, 404, contentType);
    t.is(res.headers.get("content-type"), "application/json", contentType);
    const error = (await res.json()) as { code: string; message: string };
    t.is(error.code, "unimplemented", contentType);
    t.regex(error.message, /^no RPC at \/foo\.Bar\/Baz; this server serves /, contentType);
  }
  const viaGet = await fetch(
    `${gateway.url}/marquee.user.v1.UserService/Nope?connect=v1&encoding=json&message=%7B%7D`,
  );
  t.is(viaGet.status, 404);
  t.deepEqual(await viaGet.json(), {
    code: "unimplemented",
    message: "marquee.user.v1.UserService has no method Nope",
  });
  // The web app's routes are no RPCs: the front answers them (the app, or 503 before a build).
  const app = await fetch(`${gateway.url}/profiles`);
  t.true([200, 503].includes(app.status));
  t.notRegex(app.headers.get("content-type") ?? "", /json/);
});

test("gRPC-Web gets its trailer frame with status 12 for an unknown path", async (t) => {
  const res = await fetch(`${gateway.url}/foo.Bar/Baz`, {
    method: "POST",
    headers: { "content-type": "application/grpc-web+proto" },
    body: new Uint8Array(5),
  });
  t.is(res.status, 200);
  t.is(res.headers.get("content-type"), "application/grpc-web+proto");
  const frame = Buffer.from(await res.arrayBuffer());
  t.is(frame[0], 0x80, "a trailer frame");
  t.is(frame.readUInt32BE(1), frame.length - 5);
  const trailers = Object.fromEntries(
    frame
      .subarray(5)
      .toString()
      .trim()
      .split("\r\n")
      .map((line) => line.split(": ") as [string, string]),
  );
  t.is(trailers["grpc-status"], "12");
  t.regex(decodeURIComponent(trailers["grpc-message"] ?? ""), /^no RPC at \/foo\.Bar\/Baz/);
});

test("a refused gRPC call whose client is still sending gets its answer, then RST_STREAM NO_ERROR", async (t) => {
  const session = http2.connect(gateway.url);
  t.teardown(() => session.close());
  const stream = session.request({
    ":method": "POST",
    ":path": "/marquee.content.v1.ContentService/GetContentDetails",
    "content-type": "application/grpc",
    te: "trailers",
  });
  stream.write(Buffer.from([0, 0, 0, 0, 9])); // a message header whose body never comes
  const [headers, flags] = (await once(stream, "response")) as [http2.IncomingHttpHeaders, number];
  t.true((flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0);
  t.is(headers["grpc-status"], String(Code.Unauthenticated));
  await once(stream, "close");
  t.is(stream.rstCode, http2.constants.NGHTTP2_NO_ERROR);
  const after = await session.request({
    ":path": "/grpc.health.v1.Health/Check",
    ":method": "POST",
    "content-type": "application/grpc",
    te: "trailers",
  });
  after.end(Buffer.from([0, 0, 0, 0, 0]));
  const [status] = (await once(after, "response")) as [http2.IncomingHttpHeaders];
  t.is(Number(status[":status"]), 200, "the connection still serves");
});

test("over Connect (JSON and binary) and gRPC-Web the gateway's cap ends a call with DeadlineExceeded too", async (t) => {
  for (const make of [transports["connect (JSON)"], transports["connect (binary)"], transports["grpc-web"]]) {
    const client = createClient(ContentService, (make as (u: string) => Transport)(gateway.url));
    const started = Date.now();
    const err = ConnectError.from(
      await t.throwsAsync(
        client.getGenres({}, { timeoutMs: CLIENT_DEADLINE_S * 1000, headers: { "x-api-key": API_KEY } }),
      ),
    );
    t.is(err.code, Code.DeadlineExceeded);
    t.true(Date.now() - started < 10_000, "ended by the gateway's 3 s cap, not the client's 30 s");
  }
});

test("metrics are on the loopback admin port; the public port answers /metrics like any unknown path", async (t) => {
  t.regex(gateway.adminUrl ?? "", /^http:\/\/127\.0\.0\.1:\d+$/);
  const client = createClient(ContentService, createGrpcTransport({ baseUrl: gateway.url }));
  await t.throwsAsync(client.getTrending({}));
  const metrics = await fetch(`${gateway.adminUrl}/metrics`);
  t.is(metrics.status, 200);
  t.regex(
    await metrics.text(),
    /marquee_rpc_calls_total\{service="marquee\.content\.v1\.ContentService",method="GetTrending",code="unauthenticated",component="gateway"\} 1/,
  );
  const publicMetrics = await fetch(`${gateway.url}/metrics`);
  const unknown = await fetch(`${gateway.url}/assets/missing-XYZ.js`);
  t.is(publicMetrics.status, unknown.status);
  const text = await publicMetrics.text();
  t.is(text, await unknown.text());
  t.notRegex(text, /marquee_rpc/);
  const asRpc = await fetch(`${gateway.url}/metrics`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  t.is(asRpc.status, 404);
  t.is(((await asRpc.json()) as { code: string }).code, "unimplemented");
});
