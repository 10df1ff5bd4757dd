import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ViolationsSchema } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { encodeCaller, type Server } from "@marquee/kit";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
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
        timeoutMs: 8_000,
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
    t.true(echo.timeoutMs > 0 && echo.timeoutMs <= 8_000, `remaining deadline passed on: ${echo.timeoutMs}`);
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
