import { once } from "node:events";
import { Code, type ConnectError } from "@connectrpc/connect";
import { envelope } from "@marquee/kit/testing";
import test from "ava";
import { capGrpcRequest } from "../src/passthrough/grpc-request-cap.js";

/** Feeds chunks through a cap and collects what it passes on and what it refused. */
function run(maxBytes: number, chunks: Buffer[]) {
  const refusals: ConnectError[] = [];
  const passed: Buffer[] = [];
  const cap = capGrpcRequest("x.v1.S/M", maxBytes, (err) => refusals.push(err));
  cap.on("data", (chunk: Buffer) => passed.push(chunk));
  for (const chunk of chunks) cap.write(chunk);
  return { refusals, passed: Buffer.concat(passed) };
}

test("a message within the limit passes on untouched, however its bytes are split", (t) => {
  const body = envelope(Buffer.alloc(100, 7));
  for (const split of [1, 3, 5, 6, 104]) {
    const { refusals, passed } = run(100, [body.subarray(0, split), body.subarray(split)]);
    t.deepEqual(refusals, []);
    t.deepEqual(passed, body);
  }
});

test("a length prefix over the limit is refused at once, and nothing is passed on", (t) => {
  const { refusals, passed } = run(100, [Buffer.from([0, 0, 0]), Buffer.from([0, 101])]);
  t.is(refusals.length, 1);
  t.is(refusals[0]?.code, Code.ResourceExhausted);
  t.is(refusals[0]?.rawMessage, "request too large: x.v1.S/M takes at most 100 bytes (after decompression)");
  t.is(passed.length, 0);
});

test("a body that goes on past one message of the limit is refused, once", (t) => {
  const first = envelope(Buffer.alloc(100));
  const { refusals, passed } = run(100, [first, envelope(Buffer.alloc(1)), envelope(Buffer.alloc(1))]);
  t.is(refusals.length, 1);
  t.deepEqual(passed, first);
});

test("a body shorter than a length prefix goes on as it came", async (t) => {
  const chunks: Buffer[] = [];
  const cap = capGrpcRequest("x.v1.S/M", 100, () => t.fail("refused"));
  cap.on("data", (chunk: Buffer) => chunks.push(chunk));
  cap.end(Buffer.from([0, 0]));
  await once(cap, "end");
  t.deepEqual(Buffer.concat(chunks), Buffer.from([0, 0]));
});
