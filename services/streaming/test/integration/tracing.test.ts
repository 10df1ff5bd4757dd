import { randomBytes, randomUUID } from "node:crypto";
import { durationFromMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { startGateway } from "@marquee/gateway";
import { TestSigner } from "@marquee/gateway/testing/tokens";
import { createLogger, loadBackendsConfig, type Server, serve } from "@marquee/kit";
import type { EventBus } from "@marquee/kit/bus";
import { createJetStreamBus } from "@marquee/kit/bus/jetstream";
import { recordSpans, waitFor } from "@marquee/kit/testing";
import { PlaybackState, StreamingService } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import { UserService } from "@marquee/sdk/marquee/user/v1/user_service_pb";
import { SpanKind } from "@opentelemetry/api";
import test, { type ExecutionContext } from "ava";
import { HISTORY_WRITER } from "../../src/history/writer.js";
import { CassandraStreamingStore } from "../../src/store-cassandra.js";
import { DURATION_MS, type Harness, startHarness } from "../harness.js";
import { freshKeyspace } from "./keyspace.js";

// Before anything is wired: every hook looks once, when it is made.
const recorder = await recordSpans("tracing-test");

const USER_ID = randomUUID();
const PROFILE_ID = randomUUID();
const signer = new TestSigner(USER_ID, randomUUID());
const log = createLogger("test", "silent");
let keyspace: Awaited<ReturnType<typeof freshKeyspace>> | undefined;
let bus: EventBus | undefined;
let h: Harness | undefined;
let users: Server | undefined;
let gateway: Server | undefined;
let bearer: Record<string, string>;

// The streaming service (real Cassandra keyspace, real JetStream in a namespace, its history
// writer running) behind the real gateway, which checks tokens against a stand-in user service.
test.before(async () => {
  await signer.newKey("k1");
  bearer = { authorization: `Bearer ${await signer.mint({ claims: { pid: PROFILE_ID } })}` };
  keyspace = await freshKeyspace();
  bus = await createJetStreamBus({
    config: loadBackendsConfig().nats,
    name: "streaming-bus",
    log,
    namespace: `t${randomBytes(4).toString("hex")}`,
  });
  h = await startHarness({ store: new CassandraStreamingStore(keyspace.client, false), bus });
  users = await serve({
    name: "user-stand-in",
    services: [UserService],
    routes: (r) =>
      r.service(UserService, {
        getSigningKeys: () => ({ jwksJson: signer.jwksJson() }),
        checkSession: () => ({ active: true }),
      }),
    port: 0,
    host: "127.0.0.1",
    log,
  });
  gateway = await startGateway({
    MARQUEE_GATEWAY_PORT: "0",
    MARQUEE_LOG_LEVEL: "silent",
    MARQUEE_USER_URL: users.url,
    MARQUEE_STREAMING_URL: h.server.url,
  });
});

test.after.always(async () => {
  await gateway?.close();
  await users?.close();
  await h?.close();
  await bus?.close();
  await keyspace?.drop();
});

const CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CLIENT_SPAN = "00f067aa0ba902b7";

/**
 * One SendHeartbeats through the gateway; returns the spans of its trace once the
 * history writer is done with the report, with a lookup of each span's parent.
 */
async function heartbeatTrace(transport: Transport, headers: Record<string, string>) {
  const client = createClient(StreamingService, transport);
  const harness = h as Harness;
  const { sessionId } = await client.streamContent(
    { profileId: PROFILE_ID, contentId: harness.contentId, deviceId: "tv" },
    { headers: bearer },
  );
  await client.sendHeartbeats(
    {
      sessionId,
      readings: [
        {
          sequence: 1n,
          eventTime: timestampFromMs(Date.now()),
          position: durationFromMs(DURATION_MS / 4),
          state: PlaybackState.PLAYING,
          renditionId: "720p",
          bitrateBps: 2_500_000n,
        },
      ],
    },
    { headers: { ...bearer, ...headers } },
  );
  const msgId = `${sessionId}:1-1`;
  // The consumer's span ends once the handler has returned, after the report's Cassandra write.
  const consumed = await waitFor(
    "the history writer's span of the report",
    () =>
      recorder
        .spans()
        .find(
          (s) =>
            s.kind === SpanKind.CONSUMER &&
            s.attributes["messaging.consumer.group.name"] === HISTORY_WRITER &&
            s.attributes["messaging.message.id"] === msgId,
        ),
    20_000,
  );
  const traceId = consumed.spanContext().traceId;
  const spans = recorder.spans().filter((s) => s.spanContext().traceId === traceId);
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  const parentOf = (s: (typeof spans)[number] | undefined) => byId.get(s?.parentSpanContext?.spanId ?? "");
  const one = (what: string, pick: (s: (typeof spans)[number]) => boolean) => {
    const found = spans.filter(pick);
    if (found.length !== 1) throw new Error(`${found.length} spans for ${what} in the trace`);
    return found[0] as (typeof spans)[number];
  };
  const rpc = "marquee.streaming.v1.StreamingService/SendHeartbeats";
  return {
    traceId,
    msgId,
    parentOf,
    gateway: one("the gateway", (s) => s.instrumentationScope.name === "gateway" && s.name === rpc),
    streaming: one(
      "the streaming service",
      (s) => s.instrumentationScope.name === "streaming" && s.name === rpc,
    ),
    publish: one("the publish", (s) => s.kind === SpanKind.PRODUCER),
    // Other consumers of PLAYBACK (each its own span in the same trace) may read the report too.
    consume: one(
      "the history writer's consume",
      (s) => s.kind === SpanKind.CONSUMER && s.attributes["messaging.consumer.group.name"] === HISTORY_WRITER,
    ),
    consumers: spans.filter((s) => s.kind === SpanKind.CONSUMER),
    write: one("the progress write", (s) => s.instrumentationScope.name === HISTORY_WRITER),
    cassandra: spans.filter((s) => s.instrumentationScope.name === "cassandra"),
  };
}

/** Publish → consume → write → the two Cassandra inserts, each the child of the one before. */
function assertBusAndStore(t: ExecutionContext, tr: Awaited<ReturnType<typeof heartbeatTrace>>) {
  t.is(tr.parentOf(tr.publish), tr.streaming, "the publish is the streaming handler's child");
  t.is(tr.publish.name, "publish PLAYBACK");
  t.is(tr.publish.attributes["messaging.message.id"], tr.msgId);
  t.is(tr.parentOf(tr.consume), tr.publish, "the consumer continues the publisher's span (NATS headers)");
  t.is(tr.consume.name, "process PLAYBACK");
  for (const c of tr.consumers) t.is(tr.parentOf(c), tr.publish, "every consumer of the report continues it");
  t.is(tr.parentOf(tr.write), tr.consume, "the write round's span is the report's");
  t.deepEqual(
    tr.cassandra.map((s) => s.name).sort(),
    ["INSERT playback_progress", "INSERT viewing_history"],
    "the Cassandra writes of the report",
  );
  for (const s of tr.cassandra) {
    t.is(tr.parentOf(s), tr.write);
    t.is(s.kind, SpanKind.CLIENT);
    t.is(s.attributes["db.namespace"], keyspace?.client.keyspace);
  }
}

test.serial(
  "a heartbeat over gRPC (the gateway's pass-through) is one trace from the client's traceparent to Cassandra",
  async (t) => {
    const tr = await heartbeatTrace(createGrpcTransport({ baseUrl: (gateway as Server).url }), {
      traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`,
    });
    t.is(tr.traceId, CLIENT_TRACE, "the client's trace is continued");
    t.is(
      tr.gateway.parentSpanContext?.spanId,
      CLIENT_SPAN,
      "the gateway's span is the client's span's child",
    );
    t.is(tr.gateway.kind, SpanKind.SERVER);
    t.is(tr.parentOf(tr.streaming), tr.gateway, "the streaming service's span is the gateway's child");
    assertBusAndStore(t, tr);
  },
);

test.serial(
  "a heartbeat over Connect JSON (the gateway's forwarder) starts a trace at the gateway that reaches Cassandra",
  async (t) => {
    const tr = await heartbeatTrace(
      createConnectTransport({
        baseUrl: (gateway as Server).url,
        httpVersion: "1.1",
        useBinaryFormat: false,
      }),
      {},
    );
    t.is(tr.gateway.parentSpanContext, undefined, "no traceparent from the client: the trace starts here");
    const forwarded = tr.parentOf(tr.streaming);
    t.is(forwarded?.kind, SpanKind.CLIENT, "the forwarder's call to the service");
    t.is(tr.parentOf(forwarded), tr.gateway);
    assertBusAndStore(t, tr);
  },
);
