import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { ConfigError, type Server } from "@marquee/kit";
import { waitFor } from "@marquee/kit/testing";
import {
  ContentService,
  GetContentDetailsRequestSchema,
  GetContentDetailsResponseSchema,
} from "@marquee/sdk/marquee/content/v1/content_service_pb";
import {
  StartIngestRequestSchema,
  StreamingService,
} from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import test from "ava";
import { hashApiKey } from "../src/partner-keys.js";
import { REPLICA_DOWN_MS, type Replica, Replicas } from "../src/replicas.js";
import { startGateway } from "../src/start.js";
import { spawnTs } from "./fixtures/processes.js";

/**
 * The gateway's per-call balancing over a service's replicas, against two
 * replica processes (fixtures/replica.ts) that a test kills with SIGKILL and
 * starts again on the same port: calls on every path (gRPC and binary Connect
 * through the byte pass-through, Connect JSON through the generic forwarder,
 * media GETs through the media proxy) alternate between them; with one dead
 * every call still succeeds (the refused connection is sent to the other);
 * a call the dead one had taken is not sent again; a restarted one gets calls
 * again once its pause is over.
 */
const API_KEY = "replicas-partner-key-0123";
const ID = "0b7a1f7e-1c2d-4e3f-9a8b-7c6d5e4f3a2b";
const FIXTURE = fileURLToPath(new URL("fixtures/replica.ts", import.meta.url));

class ReplicaProcess {
  port = 0;
  #child: ChildProcess | undefined;
  readonly held: string[] = [];

  constructor(readonly name: string) {}

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start() {
    const { child, info, lines } = await spawnTs<{ port: number }>(FIXTURE, {
      MARQUEE_REPLICA_NAME: this.name,
      MARQUEE_REPLICA_PORT: String(this.port),
    });
    lines.on("line", (line: string) => this.held.push((JSON.parse(line) as { held: string }).held));
    this.#child = child;
    this.port = info.port;
  }

  async kill() {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGKILL");
    await exited;
  }
}

const replicas = [new ReplicaProcess("a"), new ReplicaProcess("b")];
const byName = (name: string) => replicas.find((r) => r.name === name) as ReplicaProcess;
let gateway: Server;
let grpcClient: grpc.Client;

test.before(async () => {
  await Promise.all(replicas.map((r) => r.start()));
  const urls = replicas.map((r) => r.url).join(",");
  gateway = await startGateway({
    MARQUEE_GATEWAY_PORT: "0",
    MARQUEE_LOG_LEVEL: "silent",
    MARQUEE_CONTENT_URL: urls,
    MARQUEE_STREAMING_URL: urls,
    MARQUEE_PARTNER_API_KEYS: `acme:${hashApiKey(API_KEY)}:media:write`,
  });
  grpcClient = new grpc.Client(`127.0.0.1:${gateway.port}`, grpc.credentials.createInsecure());
});

test.after.always(async () => {
  grpcClient?.close();
  await gateway?.close();
  await Promise.all(replicas.map((r) => r.kill()));
});

const withKey = { "x-api-key": API_KEY };

/** A stock @grpc/grpc-js generic client's unary call through the gateway, raw bytes both ways. */
function grpcJsCall(path: string, request: Uint8Array): Promise<Buffer> {
  const metadata = new grpc.Metadata();
  metadata.set("x-api-key", API_KEY);
  const raw = (b: Buffer) => b;
  return new Promise((resolve, reject) =>
    grpcClient.makeUnaryRequest(
      path,
      raw,
      raw,
      Buffer.from(request),
      metadata,
      { deadline: Date.now() + 10_000 },
      (err, value) => (err ? reject(err) : resolve(value as Buffer)),
    ),
  );
}

const connectClient = <S extends typeof ContentService | typeof StreamingService>(
  service: S,
  binary: boolean,
) =>
  createClient(
    service,
    createConnectTransport({
      baseUrl: gateway.url,
      httpVersion: "1.1",
      useBinaryFormat: binary,
    }),
  );

const detailsRequest = () => create(GetContentDetailsRequestSchema, { contentId: ID });
const answeredBy = (title: string | undefined) => (JSON.parse(title ?? "{}") as { replica: string }).replica;

/** Each path's call, answering the name of the replica that served it. */
const paths: Record<string, () => Promise<string>> = {
  "gRPC (pass-through)": async () => {
    const bytes = await grpcJsCall(
      "/marquee.content.v1.ContentService/GetContentDetails",
      toBinary(GetContentDetailsRequestSchema, detailsRequest()),
    );
    return answeredBy(fromBinary(GetContentDetailsResponseSchema, bytes).content?.title);
  },
  "Connect binary (pass-through)": async () => {
    const res = await connectClient(ContentService, true).getContentDetails(detailsRequest(), {
      headers: withKey,
      timeoutMs: 10_000,
    });
    return answeredBy(res.content?.title);
  },
  "Connect JSON (generic forwarder)": async () => {
    const res = await connectClient(ContentService, false).getContentDetails(detailsRequest(), {
      headers: withKey,
      timeoutMs: 10_000,
    });
    return answeredBy(res.content?.title);
  },
  "media GET": async () => {
    const res = await fetch(`${gateway.url}/media/v1/x/manifest.mpd`);
    if (res.status !== 200) throw new Error(`media GET answered ${res.status}`);
    return res.text();
  },
};

/** Which replica answered each of n calls on one path, counted. */
async function spread(call: () => Promise<string>, n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const name = await call();
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

test.serial("calls are spread per call: 20 calls on each path land 10 on each replica", async (t) => {
  for (const [path, call] of Object.entries(paths))
    t.deepEqual(await spread(call, 20), { a: 10, b: 10 }, path);
});

test.serial(
  "with a replica killed every call succeeds on the other, and once it is back it gets calls again",
  async (t) => {
    const b = byName("b");
    // Path by path: b has just answered, so the next call or the one after is sent to it, dead.
    for (const [path, call] of Object.entries(paths)) {
      await b.kill();
      t.deepEqual(await spread(call, 10), { a: 10 }, `${path}, b dead`);
      await b.start();
      await waitFor(
        `a ${path} call on the restarted replica`,
        async () => (await call()) === "b",
        3 * REPLICA_DOWN_MS,
      );
      t.deepEqual(await spread(call, 4), { a: 2, b: 2 }, `${path}, b back`);
    }
  },
);

const connectStartIngest = (binary: boolean) =>
  connectClient(StreamingService, binary)
    .startIngest({ contentId: ID, sourcePath: "hold" }, { headers: withKey, timeoutMs: 10_000 })
    .then(
      () => 0,
      (err: unknown) => ConnectError.from(err).code,
    );

/** Each RPC path's non-idempotent call (StartIngest that the replica holds), answering its outcome code. */
const holdingCalls: Record<string, () => Promise<number>> = {
  "gRPC (pass-through)": () =>
    grpcJsCall(
      "/marquee.streaming.v1.StreamingService/StartIngest",
      toBinary(
        StartIngestRequestSchema,
        create(StartIngestRequestSchema, { contentId: ID, sourcePath: "hold" }),
      ),
    ).then(
      () => 0,
      (err: grpc.ServiceError) => err.code,
    ),
  "Connect binary (pass-through)": () => connectStartIngest(true),
  "Connect JSON (generic forwarder)": () => connectStartIngest(false),
};

/** How many StartIngest calls reached a replica, asked of it directly. */
async function startIngestsAt(replica: ReplicaProcess): Promise<number> {
  const direct = createClient(
    ContentService,
    createConnectTransport({ baseUrl: replica.url, httpVersion: "1.1" }),
  );
  const res = await direct.getContentDetails(detailsRequest());
  return (JSON.parse(res.content?.title ?? "{}") as { startIngests: number }).startIngests;
}

test.serial(
  "a call a replica had taken when it died is not sent again: the client gets Unavailable",
  async (t) => {
    for (const [path, call] of Object.entries(holdingCalls)) {
      const heldBefore = replicas.map((r) => r.held.length);
      const outcome = call();
      const holder = await waitFor(`the ${path} call held by a replica`, () =>
        replicas.find((r, i) => r.held.length > (heldBefore[i] as number)),
      );
      const survivor = replicas.find((r) => r !== holder) as ReplicaProcess;
      const before = await startIngestsAt(survivor);
      await holder.kill();
      t.is(await outcome, Code.Unavailable, path);
      t.is(await startIngestsAt(survivor), before, `${path}: not sent to ${survivor.name}`);
      await holder.start();
    }
  },
);

test.serial("a media GET whose replica died before answering is sent again to the other", async (t) => {
  const a = byName("a");
  // Wait out any pause left from the test before, so the next GETs alternate between both.
  await waitFor("both replicas serving media", async () => {
    const seen = new Set([await paths["media GET"]?.(), await paths["media GET"]?.()]);
    return seen.size === 2;
  });
  let answer: Promise<Response> | undefined;
  for (let i = 0; i < 2 && answer === undefined; i++) {
    const heldBefore = a.held.length;
    const res = fetch(`${gateway.url}/media/hold-a`);
    let answered: Response | undefined;
    res.then(
      (r) => {
        answered = r;
      },
      () => {},
    );
    const first = await waitFor("the GET held by a, or answered by b", () =>
      a.held.length > heldBefore ? "held" : answered,
    );
    if (first === "held") answer = res;
    else t.is(await (first as Response).text(), "b");
  }
  if (answer === undefined) return t.fail("no GET reached replica a");
  await a.kill();
  const res = await answer;
  t.is(res.status, 200);
  t.is(await res.text(), "b");
  await a.start();
});

test("a replica that is down is passed over until its pause ends, and the one back soonest is tried when all are", async (t) => {
  const set = new Replicas(["http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3"], 50);
  const [one, two, three] = set.all as [Replica, Replica, Replica];
  t.deepEqual([set.pick(), set.pick(), set.pick(), set.pick()], [one, two, three, one]);
  set.down(two);
  t.deepEqual([set.pick(), set.pick(), set.pick()], [three, one, three]);
  t.is(set.other(three), one);
  set.down(one);
  set.down(three);
  t.is(set.pick(), two, "all down: the one whose pause ends first");
  await waitFor("the pauses to end", () => set.all.every((r) => r.downUntil <= Date.now()));
  t.deepEqual(
    [set.pick(), set.pick(), set.pick()].map((r) => r.url).sort(),
    [one, two, three].map((r) => r.url),
  );
  const single = new Replicas(["http://127.0.0.1:1"]);
  t.is(single.other(single.pick()), undefined);
});

test("a list of upstream URLs is checked at start: each a URL, none twice", async (t) => {
  for (const bad of ["http://127.0.0.1:7123,not-a-url", "http://127.0.0.1:7123,http://127.0.0.1:7123", ""])
    await t.throwsAsync(startGateway({ MARQUEE_GATEWAY_PORT: "0", MARQUEE_STREAMING_URL: bad }), {
      instanceOf: ConfigError,
      message: /MARQUEE_STREAMING_URL/,
    });
});
