import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { createValidator, violationsToProto } from "@bufbuild/protovalidate";
import type { ConnectRouter, HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import {
  Code,
  ConnectError,
  ContentService,
  createMarquee,
  DEFAULT_TIMEOUT_MS,
  fieldViolations,
  type MarqueeOptions,
  type NodeTransportName,
  StreamingService,
} from "@marquee/sdk";
// Relative until package.json exports "./browser"; then "@marquee/sdk/browser".
import { createMarqueeWeb, type WebTransportName } from "@marquee/sdk/browser";
import test, { type ExecutionContext } from "ava";
import { build } from "esbuild";

const GENRES = [
  { genreId: "drama", name: "Drama", titleCount: 12 },
  { genreId: "science-fiction", name: "Science Fiction", titleCount: 7 },
];

/** What the test server saw of one call. */
interface Seen {
  header: Headers;
  /** The deadline the call arrived with (undefined: none). */
  timeoutMs: number | undefined;
}

/** A ContentService and StreamingService that record every call; `hang` makes GetGenres wait for its deadline. */
function routes(seen: Seen[], opts: { hang?: boolean } = {}) {
  const validator = createValidator();
  const record = (ctx: HandlerContext) => {
    seen.push({ header: new Headers(ctx.requestHeader), timeoutMs: ctx.timeoutMs() });
  };
  const content: Partial<ServiceImpl<typeof ContentService>> = {
    async getGenres(_req, ctx) {
      record(ctx);
      if (opts.hang) {
        // Answers only when the call is cancelled (its deadline passes or the client goes away).
        await new Promise<never>((_, reject) => {
          ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true });
        });
      }
      return { genres: GENRES };
    },
    searchContent(req, ctx) {
      record(ctx);
      const result = validator.validate(ContentService.method.searchContent.input, req);
      if (result.kind === "invalid") {
        const [details, desc] = violationsToProto(result.violations);
        throw new ConnectError("invalid request", Code.InvalidArgument, undefined, [
          { desc, value: details },
        ]);
      }
      return { results: [], totalSize: 0 };
    },
  };
  const streaming: Partial<ServiceImpl<typeof StreamingService>> = {
    async *watchIngest(req, ctx) {
      record(ctx);
      yield { job: { jobId: req.jobId } };
    },
  };
  return (router: ConnectRouter) => {
    router.service(ContentService, content);
    router.service(StreamingService, streaming);
  };
}

/** An in-process server on a free loopback port, closed when the test ends. */
async function startServer(
  t: ExecutionContext,
  protocol: "h2c" | "http1",
  opts: { hang?: boolean } = {},
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const handler = connectNodeAdapter({ routes: routes(seen, opts) });
  let server: http.Server | http2.Http2Server;
  let dropConnections: () => void;
  if (protocol === "h2c") {
    const h2 = http2.createServer(handler);
    const sessions = new Set<http2.Http2Session>();
    h2.on("session", (s) => {
      sessions.add(s);
      s.once("close", () => sessions.delete(s));
    });
    dropConnections = () => {
      for (const s of sessions) s.destroy();
    };
    server = h2;
  } else {
    const h1 = http.createServer(handler);
    dropConnections = () => h1.closeAllConnections();
    server = h1;
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  // Clients keep idle connections open; close() alone would wait for them.
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        dropConnections();
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen };
}

/** The request content type each protocol sends (Node clients default to binary). */
const CONTENT_TYPE: Record<NodeTransportName, RegExp> = {
  connect: /^application\/proto$/,
  grpc: /^application\/grpc(\+proto)?$/,
  "grpc-web": /^application\/grpc-web\+proto$/,
};

const NODE_TRANSPORTS: NodeTransportName[] = ["connect", "grpc", "grpc-web"];

function only<T>(t: ExecutionContext, items: T[]): T {
  t.is(items.length, 1);
  const [item] = items;
  if (item === undefined) throw new Error("expected one item");
  return item;
}

for (const transport of NODE_TRANSPORTS) {
  test(`node ${transport} over HTTP/2 gets the genres with token and API key`, async (t) => {
    const server = await startServer(t, "h2c");
    const marquee = createMarquee({
      baseUrl: server.url,
      transport,
      httpVersion: "2",
      accessToken: "member-token",
      apiKey: "partner-key",
    });
    const res = await marquee.content.getGenres({});
    t.deepEqual(
      res.genres.map((g) => [g.genreId, g.name, g.titleCount]),
      GENRES.map((g) => [g.genreId, g.name, g.titleCount]),
    );
    const { header } = only(t, server.seen);
    t.regex(header.get("content-type") ?? "", CONTENT_TYPE[transport]);
    t.is(header.get("authorization"), "Bearer member-token");
    t.is(header.get("x-api-key"), "partner-key");
  });

  test(`node ${transport}: a handler slower than timeoutMs gives DeadlineExceeded`, async (t) => {
    const server = await startServer(t, "h2c", { hang: true });
    const marquee = createMarquee({ baseUrl: server.url, transport, httpVersion: "2", timeoutMs: 100 });
    // Backstop so a missing deadline fails the test as Canceled instead of hanging it.
    const err = await t.throwsAsync(marquee.content.getGenres({}, { signal: AbortSignal.timeout(10_000) }), {
      instanceOf: ConnectError,
    });
    t.is(err?.code, Code.DeadlineExceeded, err?.message);
  });

  test(`node ${transport}: InvalidArgument details read with fieldViolations`, async (t) => {
    const server = await startServer(t, "h2c");
    const marquee = createMarquee({ baseUrl: server.url, transport, httpVersion: "2" });
    const err = await t.throwsAsync(marquee.content.searchContent({ query: "", pageSize: 10 }), {
      instanceOf: ConnectError,
    });
    t.is(err?.code, Code.InvalidArgument);
    const violations = fieldViolations(err);
    t.deepEqual(
      violations.map((v) => [v.field, v.rule]),
      [["query", "string.min_len"]],
    );
    t.true((violations[0]?.message ?? "") !== "");
  });
}

for (const transport of ["connect", "grpc-web"] as const) {
  test(`node ${transport} defaults to HTTP/1.1`, async (t) => {
    // An HTTP/1.1-only server: a client speaking HTTP/2 would fail here.
    const server = await startServer(t, "http1");
    const marquee = createMarquee({ baseUrl: server.url, transport, apiKey: "partner-key" });
    const res = await marquee.content.getGenres({});
    t.is(res.genres.length, 2);
    t.is(only(t, server.seen).header.get("x-api-key"), "partner-key");
  });
}

const WEB_CONTENT_TYPE: Record<WebTransportName, RegExp> = {
  connect: /^application\/json$/,
  "grpc-web": /^application\/grpc-web\+proto$/,
};

for (const transport of ["connect", "grpc-web"] as const) {
  test(`browser client over ${transport} (fetch) gets the genres with token and API key`, async (t) => {
    const server = await startServer(t, "http1");
    const marquee = createMarqueeWeb({
      baseUrl: server.url,
      transport,
      accessToken: () => "member-token",
      apiKey: "partner-key",
    });
    const res = await marquee.content.getGenres({});
    t.deepEqual(
      res.genres.map((g) => g.genreId),
      ["drama", "science-fiction"],
    );
    const { header, timeoutMs } = only(t, server.seen);
    t.regex(header.get("content-type") ?? "", WEB_CONTENT_TYPE[transport]);
    t.is(header.get("authorization"), "Bearer member-token");
    t.is(header.get("x-api-key"), "partner-key");
    t.true(
      timeoutMs !== undefined && timeoutMs > DEFAULT_TIMEOUT_MS - 5_000 && timeoutMs <= DEFAULT_TIMEOUT_MS,
    );
  });
}

test("browser client: a handler slower than timeoutMs gives DeadlineExceeded", async (t) => {
  const server = await startServer(t, "http1", { hang: true });
  const marquee = createMarqueeWeb({ baseUrl: server.url, timeoutMs: 100 });
  const err = await t.throwsAsync(marquee.content.getGenres({}, { signal: AbortSignal.timeout(10_000) }), {
    instanceOf: ConnectError,
  });
  t.is(err?.code, Code.DeadlineExceeded, err?.message);
});

test("the token function is called for every call (rotation)", async (t) => {
  const server = await startServer(t, "h2c");
  let calls = 0;
  const marquee = createMarquee({
    baseUrl: server.url,
    transport: "grpc",
    accessToken: async () => `token-${++calls}`,
  });
  for (let i = 0; i < 3; i++) await marquee.content.getGenres({});
  t.is(calls, 3);
  t.deepEqual(
    server.seen.map((s) => s.header.get("authorization")),
    ["Bearer token-1", "Bearer token-2", "Bearer token-3"],
  );
});

test("an Authorization header of the call wins and the token function is not called", async (t) => {
  const server = await startServer(t, "h2c");
  let calls = 0;
  const marquee = createMarquee({
    baseUrl: server.url,
    transport: "grpc",
    accessToken: () => `token-${++calls}`,
  });
  await marquee.content.getGenres({}, { headers: { authorization: "Bearer other-member" } });
  t.is(calls, 0);
  t.is(only(t, server.seen).header.get("authorization"), "Bearer other-member");
});

test("without credentials no auth headers are sent; an empty token sends none", async (t) => {
  const server = await startServer(t, "h2c");
  await createMarquee({ baseUrl: server.url, transport: "grpc" }).content.getGenres({});
  await createMarquee({ baseUrl: server.url, transport: "grpc", accessToken: () => "" }).content.getGenres(
    {},
  );
  t.is(server.seen.length, 2);
  for (const { header } of server.seen) {
    t.false(header.has("authorization"));
    t.false(header.has("x-api-key"));
  }
});

test("deadlines: the default, the client's timeoutMs, a call's own and none", async (t) => {
  const server = await startServer(t, "h2c");
  const base: MarqueeOptions = { baseUrl: server.url, transport: "grpc" };
  await createMarquee(base).content.getGenres({});
  const short = createMarquee({ ...base, timeoutMs: 2_000 });
  await short.content.getGenres({});
  await short.content.getGenres({}, { timeoutMs: 20_000 });
  await short.content.getGenres({}, { timeoutMs: 0 });
  await createMarquee({ ...base, timeoutMs: 0 }).content.getGenres({});
  const [byDefault, byClient, byCall, disabledByCall, disabledByClient] = server.seen.map((s) => s.timeoutMs);
  const within = (ms: number | undefined, lo: number, hi: number) => ms !== undefined && ms > lo && ms <= hi;
  t.true(within(byDefault, DEFAULT_TIMEOUT_MS - 5_000, DEFAULT_TIMEOUT_MS), `default: ${byDefault}`);
  t.true(within(byClient, 0, 2_000), `client: ${byClient}`);
  t.true(within(byCall, 15_000, 20_000), `call: ${byCall}`);
  t.is(disabledByCall, undefined);
  t.is(disabledByClient, undefined);
  t.is(server.seen.length, 5);
});

test("server streams get no default deadline unless streamTimeoutMs is set", async (t) => {
  const server = await startServer(t, "h2c");
  const base: MarqueeOptions = { baseUrl: server.url, transport: "grpc", timeoutMs: 2_000 };
  const received: string[] = [];
  for await (const res of createMarquee(base).streaming.watchIngest({ jobId: "a" })) {
    received.push(res.job?.jobId ?? "");
  }
  for await (const res of createMarquee({ ...base, streamTimeoutMs: 5_000 }).streaming.watchIngest({
    jobId: "b",
  })) {
    received.push(res.job?.jobId ?? "");
  }
  t.deepEqual(received, ["a", "b"]);
  const [unbounded, bounded] = server.seen.map((s) => s.timeoutMs);
  t.is(unbounded, undefined);
  t.true(bounded !== undefined && bounded > 0 && bounded <= 5_000, `stream: ${bounded}`);
});

test("an unknown transport name is refused", (t) => {
  const transport = "websocket" as NodeTransportName;
  t.throws(() => createMarquee({ baseUrl: "http://127.0.0.1:1", transport }), {
    instanceOf: TypeError,
    message: /websocket/,
  });
});

test("fieldViolations of an error without violations is empty", (t) => {
  t.deepEqual(fieldViolations(new Error("boom")), []);
  t.deepEqual(fieldViolations(new ConnectError("nope", Code.NotFound)), []);
});

/** Bundles an entry of gen/client for browsers; returns the bundled inputs or the errors. */
async function bundleForBrowser(entry: string): Promise<{ inputs: string[]; errors: string[] }> {
  try {
    const result = await build({
      entryPoints: [fileURLToPath(new URL(`../client/${entry}`, import.meta.url))],
      bundle: true,
      write: false,
      metafile: true,
      platform: "browser",
      format: "esm",
      logLevel: "silent",
      conditions: ["marquee-source"],
    });
    return { inputs: Object.keys(result.metafile.inputs), errors: [] };
  } catch (err) {
    const errors = (err as { errors?: { text: string }[] }).errors ?? [{ text: String(err) }];
    return { inputs: [], errors: errors.map((e) => e.text) };
  }
}

test("the browser entry bundles for browsers without Node.js modules", async (t) => {
  const browser = await bundleForBrowser("browser.ts");
  t.deepEqual(browser.errors, []);
  t.true(browser.inputs.some((p) => p.includes("@connectrpc/connect-web")));
  t.false(browser.inputs.some((p) => p.includes("@connectrpc/connect-node") || p.startsWith("node:")));
  // The check can fail: the Node entry does not bundle for browsers.
  const node = await bundleForBrowser("index.ts");
  t.true(
    node.errors.some((e) => /node:|http2|"http"/.test(e)),
    node.errors.join("\n"),
  );
});
