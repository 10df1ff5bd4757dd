import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createLogger, serve } from "@marquee/kit";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { errors as opensearch } from "@opensearch-project/opensearch";
import test from "ava";
import { errors as cassandra, types } from "cassandra-driver";
import { isTransientBackendError } from "../src/backend-errors.js";

const log = createLogger("test", "silent");

/** A server whose GetGenres fails with whatever `failure` holds at the time. */
async function failingServer() {
  let failure: unknown;
  const server = await serve({
    name: "failing",
    services: [ContentService],
    routes(r) {
      r.service(ContentService, {
        getGenres() {
          throw failure;
        },
      });
    },
    port: 0,
    host: "127.0.0.1",
    log,
  });
  const client = createClient(ContentService, createGrpcTransport({ baseUrl: server.url }));
  return {
    server,
    async codeFor(err: unknown) {
      failure = err;
      return ConnectError.from(await client.getGenres({}).catch((e: unknown) => e));
    },
  };
}

const writeTimeout = new cassandra.ResponseError(
  types.responseErrorCodes.writeTimeout,
  "batchlog write timeout",
);

test("a store or search that cannot answer for now: Unavailable with a retry hint, none of the driver's text", async (t) => {
  const { server, codeFor } = await failingServer();
  t.teardown(() => server.close());
  for (const err of [
    writeTimeout,
    new cassandra.ResponseError(types.responseErrorCodes.unavailableException, "2 replicas needed, 1 alive"),
    new cassandra.OperationTimedOutError("the host did not answer in 12000 ms", "127.0.0.2:9042"),
    new cassandra.NoHostAvailableError({}),
    new opensearch.ConnectionError("connect ECONNREFUSED 127.0.0.1:9201"),
    new opensearch.TimeoutError("Request timed out", {} as never),
  ]) {
    const e = await codeFor(err);
    t.is(e.code, Code.Unavailable, err.name);
    t.regex(
      e.rawMessage,
      /^a backing store could not answer for now; try again \(request id [0-9a-f-]{36}\)$/,
    );
  }
});

test("a driver error about the request itself, and any other error, stays Internal", async (t) => {
  const { server, codeFor } = await failingServer();
  t.teardown(() => server.close());
  for (const err of [
    new cassandra.ResponseError(types.responseErrorCodes.invalid, "Undefined column name x"),
    new cassandra.ResponseError(types.responseErrorCodes.syntaxError, "line 1:7 no viable alternative"),
    new TypeError("cannot read properties of undefined"),
  ]) {
    t.is((await codeFor(err)).code, Code.Internal, err.message);
  }
});

test("search answering 429 or 503 is 'not now'; a 400 is not", (t) => {
  const answer = (statusCode: number) =>
    new opensearch.ResponseError({
      body: {},
      statusCode,
      headers: {},
      meta: {} as never,
      warnings: null,
    } as never);
  t.true(isTransientBackendError(answer(429)));
  t.true(isTransientBackendError(answer(503)));
  t.false(isTransientBackendError(answer(400)));
  t.false(isTransientBackendError("a string"));
  t.true(isTransientBackendError(writeTimeout));
});
