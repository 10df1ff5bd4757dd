import { once } from "node:events";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { decodeCaller, type Server } from "@marquee/kit";
import { waitFor } from "@marquee/kit/testing";
import test from "ava";
import { hashApiKey } from "../src/partner-keys.js";
import { parseGrpcTimeout } from "../src/passthrough/grpc.js";
import { startGateway } from "../src/start.js";

/**
 * The gateway's gRPC pass-through against a bare HTTP/2 upstream that records
 * exactly what reached it: bytes in and out untouched, identity and deadline
 * set by the gateway, the gateway's own deadline and refusals.
 */
const API_KEY = "passthrough-partner-key-0123";
const PATH = "/marquee.content.v1.ContentService/GetContentDetails";
const ID = "0b7a1f7e-1c2d-4e3f-9a8b-7c6d5e4f3a2b";

interface Seen {
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
  closedEarly: boolean;
}
const seen: Seen[] = [];
let upstream: http2.Http2Server;
let gateway: Server;

/** A gRPC frame of a message whose unknown field 99 comes before field 1: re-encoding would reorder it. */
function frameOf(contentId: string): Buffer {
  const id = Buffer.from(contentId);
  const unknown = Buffer.from([0x98, 0x06, 0x2a]); // field 99, varint 42
  const known = Buffer.concat([Buffer.from([0x0a, id.length]), id]);
  const message = Buffer.concat([unknown, known]);
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}
const RESPONSE = frameOf(ID);

test.before(async () => {
  upstream = http2.createServer();
  upstream.on("stream", (stream, headers) => {
    const chunks: Buffer[] = [];
    const record: Seen = { headers, body: Buffer.alloc(0), closedEarly: false };
    seen.push(record);
    stream.on("close", () => {
      if (stream.rstCode === http2.constants.NGHTTP2_CANCEL) record.closedEarly = true;
    });
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      record.body = Buffer.concat(chunks);
      if (record.body.includes(Buffer.from("hang"))) return;
      if (record.body.includes(Buffer.from("odd"))) {
        // Trailers-only, with a status and message no well-behaved service would send.
        stream.respond(
          {
            ":status": 200,
            "content-type": "application/grpc",
            "grpc-status": "99",
            "grpc-message": "%E0%A4%A",
          },
          { endStream: true },
        );
        return;
      }
      stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0", "x-trailer": "kept" }));
      stream.end(RESPONSE);
    });
  });
  upstream.listen(0, "127.0.0.1");
  await once(upstream, "listening");
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  gateway = await startGateway({
    MARQUEE_GATEWAY_PORT: "0",
    MARQUEE_LOG_LEVEL: "silent",
    MARQUEE_CONTENT_URL: url,
    MARQUEE_PARTNER_API_KEYS: `acme:${hashApiKey(API_KEY)}:`,
  });
});

test.after.always(async () => {
  await gateway?.close();
  upstream?.close();
});

/** One raw gRPC call to the gateway: response headers, body bytes, trailers. */
async function call(body: Buffer, headers: Record<string, string>) {
  const client = http2.connect(gateway.url);
  try {
    const stream = client.request({
      ":method": "POST",
      ":path": PATH,
      "content-type": "application/grpc",
      te: "trailers",
      ...headers,
    });
    const chunks: Buffer[] = [];
    let response: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    stream.on("response", (h) => {
      response = h;
    });
    stream.on("trailers", (h) => {
      trailers = h;
    });
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.end(body);
    await once(stream, "end");
    const status = trailers["grpc-status"] ?? response["grpc-status"];
    return { response, trailers, status, body: Buffer.concat(chunks) };
  } finally {
    client.close();
  }
}

test.serial(
  "bytes pass untouched both ways; identity, request id, address and deadline are the gateway's",
  async (t) => {
    const forged = Buffer.from(JSON.stringify({ kind: "internal", scopes: ["catalog:write"] })).toString(
      "base64url",
    );
    const before = seen.length;
    const sent = frameOf(ID);
    const res = await call(sent, {
      "x-api-key": API_KEY,
      "x-marquee-caller": forged,
      "x-marquee-session": "forged-session",
      "x-request-id": "req-passthrough",
      "grpc-timeout": "5S",
    });
    t.is(res.status, "0");
    t.true(res.body.equals(RESPONSE), "the response bytes as the service sent them");
    t.is(res.trailers["x-trailer"], "kept", "the service's trailers come back");
    t.is(res.response["x-request-id"], "req-passthrough");
    const got = seen[before] as Seen;
    t.true(got.body.equals(sent), "the request bytes as the client sent them (not decoded and re-encoded)");
    t.deepEqual(decodeCaller(got.headers["x-marquee-caller"] as string), {
      kind: "partner",
      partnerId: "acme",
      scopes: [],
    });
    t.is(got.headers["x-marquee-session"], undefined, "a client's session header never passes");
    t.is(got.headers["x-request-id"], "req-passthrough");
    t.is(got.headers["x-marquee-client-ip"], "127.0.0.1");
    const timeoutMs = parseGrpcTimeout(got.headers["grpc-timeout"] as string) ?? 0;
    t.true(timeoutMs > 0 && timeoutMs <= 5_000, `remaining deadline passed on: ${timeoutMs} ms`);
  },
);

test.serial(
  "a call without credentials is refused at the gateway and never reaches the service",
  async (t) => {
    const before = seen.length;
    const res = await call(frameOf(ID), {});
    t.is(res.status, "16");
    t.regex(decodeURIComponent(String(res.response["grpc-message"])), /needs credentials/);
    t.is(seen.length, before);
  },
);

test.serial(
  "the gateway answers DeadlineExceeded for a service that does not, and cancels its call",
  async (t) => {
    const before = seen.length;
    const started = Date.now();
    const res = await call(frameOf("hang"), { "x-api-key": API_KEY, "grpc-timeout": "300m" });
    t.is(res.status, "4");
    t.true(Date.now() - started < 5_000);
    await waitFor("the upstream call cancelled", () => seen[before]?.closedEarly === true, 5_000);
    t.pass();
  },
);

test.serial(
  "an odd status or a malformed message from the service passes on as sent, and the gateway keeps serving",
  async (t) => {
    const res = await call(frameOf("odd"), { "x-api-key": API_KEY });
    t.is(res.status, "99");
    t.is(res.response["grpc-message"], "%E0%A4%A");
    t.is((await call(frameOf(ID), { "x-api-key": API_KEY })).status, "0");
  },
);

test("grpc-timeout values in every unit, and malformed ones ignored", (t) => {
  t.is(parseGrpcTimeout("2H"), 7_200_000);
  t.is(parseGrpcTimeout("3M"), 180_000);
  t.is(parseGrpcTimeout("5S"), 5_000);
  t.is(parseGrpcTimeout("250m"), 250);
  t.is(parseGrpcTimeout("1500u"), 1.5);
  t.is(parseGrpcTimeout("2000000n"), 2);
  t.is(parseGrpcTimeout("123456789S"), undefined, "more than 8 digits");
  t.is(parseGrpcTimeout("5s"), undefined);
  t.is(parseGrpcTimeout(undefined), undefined);
});
