import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ViolationsSchema } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { ConfigError, encodeCaller, type Server } from "@marquee/kit";
import {
  ContentService,
  GetContentDetailsRequestSchema,
  GetContentDetailsResponseSchema,
} from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { FeedbackService } from "@marquee/sdk/marquee/feedback/v1/feedback_service_pb";
import { StreamingService } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import test from "ava";
import { hashApiKey } from "../src/partner-keys.js";
import { startGateway } from "../src/start.js";
import { closedPort, spawnTs } from "./fixtures/processes.js";

const ID = "0b7a1f7e-1c2d-4e3f-9a8b-7c6d5e4f3a2b";
const root = fileURLToPath(new URL("../../", import.meta.url));
/** A partner key with the media:write scope: catalog reads and ingest need a partner or a member. */
const API_KEY = "test-partner-key-0123456789";
const withKey = { "x-api-key": API_KEY };
let gateway: Server;
let upstreamPort: number;

test.before(async (t) => {
  const { child, info } = await spawnTs<{ port: number }>(
    fileURLToPath(new URL("fixtures/upstream.ts", import.meta.url)),
  );
  t.context = child;
  upstreamPort = info.port;
  const upstream = `http://127.0.0.1:${info.port}`;
  gateway = await startGateway({
    MARQUEE_GATEWAY_PORT: "0",
    MARQUEE_LOG_LEVEL: "silent",
    MARQUEE_CONTENT_URL: upstream,
    MARQUEE_STREAMING_URL: upstream,
    MARQUEE_FEEDBACK_URL: `http://127.0.0.1:${await closedPort()}`,
    MARQUEE_PARTNER_API_KEYS: `acme:${hashApiKey(API_KEY)}:media:write`,
  });
});

test.after.always(async (t) => {
  await gateway?.close();
  (t.context as { kill(): void } | undefined)?.kill();
});

const transports: Record<string, (baseUrl: string) => Transport> = {
  connect: (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1" }),
  grpc: (baseUrl) => createGrpcTransport({ baseUrl }),
  "grpc-web": (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }),
};

for (const [protocol, makeTransport] of Object.entries(transports)) {
  test(`forwards a unary call over ${protocol} with deadline and request id, ignoring a forged caller`, async (t) => {
    const client = createClient(ContentService, makeTransport(gateway.url));
    const forged = encodeCaller({ kind: "internal", scopes: ["catalog:write"] });
    const res = await client.getContentDetails(
      { contentId: ID },
      {
        timeoutMs: 30_000,
        headers: { "x-marquee-caller": forged, "x-request-id": `req-${protocol}`, ...withKey },
      },
    );
    const echo = JSON.parse(res.content?.title ?? "{}");
    t.is(res.content?.contentId, ID);
    t.deepEqual(
      echo.caller,
      { kind: "partner", partnerId: "acme", scopes: ["media:write"] },
      "the edge never trusts a caller header from outside: the caller is what the API key says",
    );
    t.true(echo.timeoutMs > 0 && echo.timeoutMs <= 30_000, `remaining deadline passed on: ${echo.timeoutMs}`);
    t.is(echo.requestId, `req-${protocol}`);
  });

  test(`forwards a server stream over ${protocol}`, async (t) => {
    const client = createClient(StreamingService, makeTransport(gateway.url));
    const seen: number[] = [];
    for await (const update of client.watchIngest({ jobId: ID }, { headers: withKey }))
      seen.push(update.job?.progress ?? -1);
    t.deepEqual(seen, [0.25, 0.5, 1]);
  });

  test(`passes the service's validation error through over ${protocol}`, async (t) => {
    const client = createClient(ContentService, makeTransport(gateway.url));
    const err = ConnectError.from(
      await t.throwsAsync(client.getContentDetails({ contentId: "nope" }, { headers: withKey })),
    );
    t.is(err.code, Code.InvalidArgument);
    t.regex(err.rawMessage, /content_id: must be a valid UUID \[string\.uuid\]/);
    t.is(err.findDetails(ViolationsSchema)[0]?.violations[0]?.ruleId, "string.uuid");
  });
}

test("an upstream that is down gives Unavailable, not a hang", async (t) => {
  const client = createClient(FeedbackService, createGrpcTransport({ baseUrl: gateway.url }));
  const started = Date.now();
  const err = ConnectError.from(
    await t.throwsAsync(client.getContentRatings({ contentId: ID }, { timeoutMs: 20_000, headers: withKey })),
  );
  t.is(err.code, Code.Unavailable);
  t.true(Date.now() - started < 10_000);
});

test("a stock @grpc/grpc-js client built from proto/ calls a service directly and through the gateway", async (t) => {
  const definition = protoLoader.loadSync("marquee/content/v1/content_service.proto", {
    includeDirs: [`${root}proto`],
    keepCase: true,
    defaults: true,
  });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    marquee: { content: { v1: { ContentService: grpc.ServiceClientConstructor } } };
  };
  for (const address of [`127.0.0.1:${upstreamPort}`, `127.0.0.1:${gateway.port}`]) {
    const client = new pkg.marquee.content.v1.ContentService(
      address,
      grpc.credentials.createInsecure(),
    ) as unknown as {
      GetContentDetails(
        req: object,
        metadata: grpc.Metadata,
        done: (err: grpc.ServiceError | null, res: { content: { content_id: string } }) => void,
      ): void;
      close(): void;
    };
    const metadata = new grpc.Metadata();
    metadata.set("x-api-key", API_KEY);
    const res = await new Promise<{ content: { content_id: string } }>((resolve, reject) =>
      client.GetContentDetails({ content_id: ID }, metadata, (err, value) =>
        err ? reject(err) : resolve(value),
      ),
    );
    t.is(res.content.content_id, ID, address);
    const bad = await new Promise<grpc.ServiceError>((resolve) =>
      client.GetContentDetails({ content_id: "x" }, metadata, (err) => resolve(err as grpc.ServiceError)),
    );
    t.is(bad.code, grpc.status.INVALID_ARGUMENT);
    client.close();
  }
});

test("npx buf curl reaches a service through the gateway over connect, grpc and grpcweb", async (t) => {
  const run = promisify(execFile);
  for (const protocol of ["connect", "grpc", "grpcweb"]) {
    const { stdout } = await run(
      "npx",
      [
        "buf",
        "curl",
        "--http2-prior-knowledge",
        "--protocol",
        protocol,
        "--schema",
        "proto",
        "--header",
        `x-api-key: ${API_KEY}`,
        "--data",
        JSON.stringify({ contentId: ID }),
        `${gateway.url}/marquee.content.v1.ContentService/GetContentDetails`,
      ],
      { cwd: root },
    );
    t.is(JSON.parse(stdout).content.contentId, ID, protocol);
  }
});

// Deadlines (gateway/src/deadlines.ts), as the upstream sees them: unary calls capped at 60 s (a longer
// deadline is shortened, not refused), 15 s when the client sets none; server streams keep the
// client's deadline up to the services' 1 h. The fixture upstream echoes the deadline it was given.

/** The deadline the upstream saw for a unary call with this client deadline (undefined: none). */
async function seenByUpstream(transport: Transport, timeoutMs: number | undefined): Promise<number> {
  const client = createClient(ContentService, transport);
  const res = await client.getContentDetails({ contentId: ID }, { timeoutMs, headers: withKey });
  return (JSON.parse(res.content?.title ?? "{}") as { timeoutMs: number }).timeoutMs;
}

const within = (ms: number, low: number, high: number) => ms > low && ms <= high;

for (const [name, makeTransport] of Object.entries(transports)) {
  const protocol = name === "grpc" ? "grpc (pass-through for unary)" : name;
  test(`over ${protocol}: a unary deadline over 60 s is capped at 60 s, not refused; shorter ones pass; none gets 15 s`, async (t) => {
    const transport = makeTransport(gateway.url);
    const capped = await seenByUpstream(transport, 61_000);
    t.true(within(capped, 55_000, 60_000), `61 s asked, upstream given ${capped} ms`);
    const long = await seenByUpstream(transport, 2 * 3_600_000);
    t.true(within(long, 55_000, 60_000), `2 h asked, upstream given ${long} ms`);
    const short = await seenByUpstream(transport, 30_000);
    t.true(within(short, 25_000, 30_000), `30 s asked, upstream given ${short} ms`);
    const none = await seenByUpstream(transport, undefined);
    t.true(within(none, 10_000, 15_000), `no deadline, upstream given ${none} ms`);
  });

  test(`over ${protocol}: a server stream keeps the client's deadline up to 1 h, and gets none by default`, async (t) => {
    const client = createClient(StreamingService, makeTransport(gateway.url));
    // Read to the end: a client that leaves a stream early keeps its deadline timer running.
    const deadlineOf = async (timeoutMs: number | undefined) => {
      const stages: string[] = [];
      for await (const update of client.watchIngest({ jobId: ID }, { timeoutMs, headers: withKey }))
        stages.push(update.job?.stage ?? "{}");
      return (JSON.parse(stages[0] ?? "{}") as { timeoutMs: number | null }).timeoutMs;
    };
    const twoHours = await deadlineOf(2 * 3_600_000);
    t.true(
      twoHours !== null && within(twoHours, 3_500_000, 3_600_000),
      `2 h asked, upstream given ${twoHours}`,
    );
    const tenMinutes = await deadlineOf(600_000);
    t.true(tenMinutes !== null && within(tenMinutes, 590_000, 600_000), `10 min asked, given ${tenMinutes}`);
    t.is(await deadlineOf(undefined), null);
  });
}

test("a stock @grpc/grpc-js client asking 61 s gets its answer, the service having been given at most 60 s", async (t) => {
  const client = new grpc.Client(`127.0.0.1:${gateway.port}`, grpc.credentials.createInsecure());
  t.teardown(() => client.close());
  const metadata = new grpc.Metadata();
  metadata.set("x-api-key", API_KEY);
  const request = Buffer.from(
    toBinary(GetContentDetailsRequestSchema, create(GetContentDetailsRequestSchema, { contentId: ID })),
  );
  const bytes = await new Promise<Buffer>((resolve, reject) =>
    client.makeUnaryRequest(
      "/marquee.content.v1.ContentService/GetContentDetails",
      (b: Buffer) => b,
      (b: Buffer) => b,
      request,
      metadata,
      { deadline: Date.now() + 61_000 },
      (err, value) => (err ? reject(err) : resolve(value as Buffer)),
    ),
  );
  const res = fromBinary(GetContentDetailsResponseSchema, bytes);
  const seen = (JSON.parse(res.content?.title ?? "{}") as { timeoutMs: number }).timeoutMs;
  t.true(within(seen, 55_000, 60_000), `upstream given ${seen} ms`);
});

test("the cap is MARQUEE_GATEWAY_MAX_TIMEOUT_MS: at most 1 h, and never below the default deadline", async (t) => {
  const env = { MARQUEE_GATEWAY_PORT: "0", MARQUEE_LOG_LEVEL: "silent" };
  const tooLong = await t.throwsAsync(startGateway({ ...env, MARQUEE_GATEWAY_MAX_TIMEOUT_MS: "3600001" }), {
    instanceOf: ConfigError,
  });
  t.regex(tooLong.message, /MARQUEE_GATEWAY_MAX_TIMEOUT_MS="3600001"/);
  const belowDefault = await t.throwsAsync(
    startGateway({
      ...env,
      MARQUEE_GATEWAY_MAX_TIMEOUT_MS: "10000",
      MARQUEE_GATEWAY_UPSTREAM_TIMEOUT_MS: "15000",
    }),
    { instanceOf: ConfigError },
  );
  t.regex(
    belowDefault.message,
    /MARQUEE_GATEWAY_UPSTREAM_TIMEOUT_MS \(15000\) is longer than MARQUEE_GATEWAY_MAX_TIMEOUT_MS \(10000\)/,
  );
});
