import { once } from "node:events";
import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { ViolationsSchema } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { decodeCaller, type Server } from "@marquee/kit";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { FeedbackService } from "@marquee/sdk/marquee/feedback/v1/feedback_service_pb";
import test from "ava";
import { hashApiKey } from "../src/partner-keys.js";
import { startGateway } from "../src/start.js";
import { closedPort, spawnTs } from "./fixtures/processes.js";

/**
 * Binary Connect and gRPC-Web pass through the gateway as bytes, like gRPC:
 * against a bare upstream that records what reached it (bytes untouched both
 * ways, identity and deadline the gateway's), and against a real service,
 * where every outcome reads the same as on the generic path (Connect JSON,
 * decoded and re-encoded by the gateway's router).
 */
const API_KEY = "protocols-partner-key-0123";
const withKey = { "x-api-key": API_KEY };
const PATH = "/marquee.content.v1.ContentService/GetContentDetails";
const ID = "0b7a1f7e-1c2d-4e3f-9a8b-7c6d5e4f3a2b";

/** A message whose unknown field 99 comes before field 1: re-encoding would reorder it. */
function messageOf(contentId: string): Buffer {
  const id = Buffer.from(contentId);
  return Buffer.concat([Buffer.from([0x98, 0x06, 0x2a]), Buffer.from([0x0a, id.length]), id]);
}
function frame(flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = flags;
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}
const GRPC_WEB_RESPONSE = Buffer.concat([
  frame(0, messageOf(ID)),
  frame(0x80, Buffer.from("grpc-status: 0\r\nx-trailer: kept\r\n")),
]);

interface Seen {
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
}
const seen: Seen[] = [];
let bare: http2.Http2Server;
let bareGateway: Server;
let gateway: Server;
let upstreamChild: { kill(): void } | undefined;

test.before(async () => {
  bare = http2.createServer();
  bare.on("stream", (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      seen.push({ headers, body: Buffer.concat(chunks) });
      if (String(headers["content-type"]).startsWith("application/grpc-web")) {
        stream.respond({ ":status": 200, "content-type": "application/grpc-web+proto" });
        stream.end(GRPC_WEB_RESPONSE);
      } else {
        stream.respond({ ":status": 200, "content-type": "application/proto", "x-upstream": "kept" });
        stream.end(messageOf(ID));
      }
    });
  });
  bare.listen(0, "127.0.0.1");
  await once(bare, "listening");
  bareGateway = await startGateway({
    MARQUEE_GATEWAY_PORT: "0",
    MARQUEE_LOG_LEVEL: "silent",
    MARQUEE_CONTENT_URL: `http://127.0.0.1:${(bare.address() as AddressInfo).port}`,
    MARQUEE_PARTNER_API_KEYS: `acme:${hashApiKey(API_KEY)}:`,
  });

  const { child, info } = await spawnTs<{ port: number }>(
    fileURLToPath(new URL("fixtures/upstream.ts", import.meta.url)),
  );
  upstreamChild = child;
  gateway = await startGateway({
    MARQUEE_GATEWAY_PORT: "0",
    MARQUEE_LOG_LEVEL: "silent",
    MARQUEE_CONTENT_URL: `http://127.0.0.1:${info.port}`,
    MARQUEE_FEEDBACK_URL: `http://127.0.0.1:${await closedPort()}`,
    MARQUEE_PARTNER_API_KEYS: `acme:${hashApiKey(API_KEY)}:`,
    MARQUEE_MAX_REQUEST_BYTES: "4096",
  });
});

test.after.always(async () => {
  await bareGateway?.close();
  await gateway?.close();
  bare?.close();
  upstreamChild?.kill();
});

/** One raw POST over HTTP/1.1: status, headers, body bytes. */
async function post1(url: string, body: Buffer, headers: Record<string, string>) {
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = http.request(`${url}${PATH}`, { method: "POST", headers }, resolve);
    req.on("error", reject);
    req.end(body);
  });
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) };
}

const forged = Buffer.from(JSON.stringify({ kind: "internal", scopes: ["catalog:write"] })).toString(
  "base64url",
);

test.serial(
  "binary Connect over HTTP/1.1: bytes untouched both ways; identity and deadline are the gateway's",
  async (t) => {
    const before = seen.length;
    const sent = messageOf(ID);
    const res = await post1(bareGateway.url, sent, {
      "content-type": "application/proto",
      "connect-protocol-version": "1",
      "connect-timeout-ms": "5000",
      "x-marquee-caller": forged,
      "x-request-id": "req-connect",
      ...withKey,
    });
    t.is(res.status, 200);
    t.true(res.body.equals(messageOf(ID)), "the response bytes as the service sent them");
    t.is(res.headers["x-upstream"], "kept");
    t.is(res.headers["x-request-id"], "req-connect");
    const got = seen[before] as Seen;
    t.true(got.body.equals(sent), "the request bytes as the client sent them");
    t.is(got.headers["content-type"], "application/proto");
    t.is(got.headers["connect-protocol-version"], "1");
    t.deepEqual(decodeCaller(got.headers["x-marquee-caller"] as string), {
      kind: "partner",
      partnerId: "acme",
      scopes: [],
    });
    t.is(got.headers["x-request-id"], "req-connect");
    const timeoutMs = Number(got.headers["connect-timeout-ms"]);
    t.true(timeoutMs > 0 && timeoutMs <= 5_000, `remaining deadline passed on: ${timeoutMs} ms`);
  },
);

test.serial("binary Connect over HTTP/2 passes as bytes too", async (t) => {
  const before = seen.length;
  const client = http2.connect(bareGateway.url);
  t.teardown(() => client.close());
  const stream = client.request({
    ":method": "POST",
    ":path": PATH,
    "content-type": "application/proto",
    ...withKey,
  });
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  const [headers] = (await once(stream.end(messageOf(ID)), "response")) as [http2.IncomingHttpHeaders];
  await once(stream, "end");
  t.is(Number(headers[":status"]), 200);
  t.true(Buffer.concat(chunks).equals(messageOf(ID)));
  t.true((seen[before] as Seen).body.equals(messageOf(ID)));
});

test.serial(
  "gRPC-Web over HTTP/1.1: frames and the trailer frame untouched; identity and deadline are the gateway's",
  async (t) => {
    const before = seen.length;
    const sent = frame(0, messageOf(ID));
    const res = await post1(bareGateway.url, sent, {
      "content-type": "application/grpc-web+proto",
      "x-grpc-web": "1",
      "grpc-timeout": "5S",
      "x-marquee-caller": forged,
      ...withKey,
    });
    t.is(res.status, 200);
    t.true(res.body.equals(GRPC_WEB_RESPONSE), "data and trailer frames as the service sent them");
    const got = seen[before] as Seen;
    t.true(got.body.equals(sent));
    t.is(got.headers["x-grpc-web"], "1");
    t.deepEqual(decodeCaller(got.headers["x-marquee-caller"] as string), {
      kind: "partner",
      partnerId: "acme",
      scopes: [],
    });
    t.regex(String(got.headers["grpc-timeout"]), /^\d+m$/);
  },
);

test.serial("Connect JSON is not taken: it reaches the generic path", async (t) => {
  const before = seen.length;
  const json = await post1(bareGateway.url, Buffer.from(JSON.stringify({ contentId: ID })), {
    "content-type": "application/json",
    ...withKey,
  });
  // The generic path speaks gRPC to the service: the bare upstream's Connect answer is not one.
  t.not(json.status, 200);
  t.regex(String((seen[before] as Seen).headers["content-type"]), /^application\/grpc(\+proto)?$/);
});

/** The generic path, and the byte paths whose outcomes must read the same. */
const generic = (baseUrl: string) => createConnectTransport({ baseUrl, httpVersion: "1.1" });
const bytePaths: Record<string, (baseUrl: string) => Transport> = {
  "Connect binary, HTTP/1.1": (baseUrl) =>
    createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true }),
  "Connect binary, HTTP/2": (baseUrl) =>
    createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true }),
  "gRPC-Web, HTTP/1.1": (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }),
  gRPC: (baseUrl) => createGrpcTransport({ baseUrl }),
};

interface Outcome {
  ok?: { contentId: string | undefined; caller: unknown };
  code?: string;
  message?: string;
  violations?: string[];
}

/** What a client makes of a call: the answer, or the error's code, message and validation details. */
async function outcome(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    const res = (await call()) as { content?: { contentId: string; title: string } };
    const echo = JSON.parse(res.content?.title ?? "{}");
    return { ok: { contentId: res.content?.contentId, caller: echo.caller } };
  } catch (e) {
    const err = ConnectError.from(e);
    return {
      code: Code[err.code] as string,
      message: err.rawMessage,
      violations: err.findDetails(ViolationsSchema).flatMap((v) => v.violations.map((x) => x.ruleId)),
    };
  }
}

/** Each case, its call, and the outcome the generic path must give (so the case is what it says). */
const cases: Record<string, { run: (transport: Transport) => Promise<Outcome>; code: string | undefined }> = {
  success: {
    run: (tr) =>
      outcome(() =>
        createClient(ContentService, tr).getContentDetails({ contentId: ID }, { headers: withKey }),
      ),
    code: undefined,
  },
  "the service's own error, with details": {
    run: (tr) =>
      outcome(() =>
        createClient(ContentService, tr).getContentDetails({ contentId: "nope" }, { headers: withKey }),
      ),
    code: "InvalidArgument",
  },
  "refused at the gateway before the service": {
    run: (tr) => outcome(() => createClient(ContentService, tr).getContentDetails({ contentId: ID })),
    code: "Unauthenticated",
  },
  "the service unavailable": {
    run: (tr) =>
      outcome(() =>
        createClient(FeedbackService, tr).getContentRatings({ contentId: ID }, { headers: withKey }),
      ),
    code: "Unavailable",
  },
  "a message over the size limit": {
    run: (tr) =>
      outcome(() =>
        createClient(ContentService, tr).getContentDetails(
          { contentId: "x".repeat(8_000) },
          { headers: withKey },
        ),
      ),
    code: "ResourceExhausted",
  },
};

for (const [name, { run, code }] of Object.entries(cases)) {
  test(`${name}: every byte path reads as the generic path does`, async (t) => {
    const expected = await run(generic(gateway.url));
    t.is(expected.code, code, "the generic path's outcome");
    for (const [path, make] of Object.entries(bytePaths))
      t.deepEqual(await run(make(gateway.url)), expected, path);
  });
}
