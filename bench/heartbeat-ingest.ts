/**
 * Sustained heartbeat ingest, bounded in time: simulated viewers each open a
 * session and send heartbeats back to back (closed loop) to the streaming
 * service over gRPC; each heartbeat goes to JetStream PLAYBACK and the durable
 * history-writer writes it to Cassandra. Prints heartbeats/s made durable, p50/p99
 * heartbeat-to-durable latency, the count lost (must be 0) — and, in the same
 * run, the raw ceiling: the same prepared Cassandra writes at the same
 * concurrency with no pipeline, and the ratio (target >= 0.8).
 *
 * The service runs in its own process against real Cassandra and NATS (a
 * fresh keyspace and stream namespace, removed afterwards). It is called
 * directly, not through the gateway: the gateway now authenticates members
 * with tokens from the user service, which this bench does not stand up.
 *
 *   node --conditions=marquee-source --import tsx bench/heartbeat-ingest.ts [--seconds 10] [--viewers 64]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { create } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import {
  CALLER_HEADER,
  connectNats,
  createLogger,
  encodeCaller,
  loadBackendsConfig,
  natsManager,
  openCassandra,
  serve,
} from "@marquee/kit";
import { AccountService } from "@marquee/sdk/marquee/account/v1/account_service_pb";
import { VideoQuality } from "@marquee/sdk/marquee/common/v1/video_quality_pb";
import { ContentSchema } from "@marquee/sdk/marquee/content/v1/content_pb";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { PlaybackState, StreamingService } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import { VIDEO_LADDER } from "@marquee/streaming/ingest/ladder";
import { migrations } from "@marquee/streaming/migrations";
import { Client, types } from "cassandra-driver";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "10" }, viewers: { type: "string", default: "64" } },
});
const seconds = Number(values.seconds);
const viewers = Number(values.viewers);
const DURATION_MS = 10 * 3600_000;
const START_MS = 40 * 60_000;
const backends = loadBackendsConfig();
const log = createLogger("bench", "warn");
const keyspace = `marquee_bench_streaming_${randomBytes(3).toString("hex")}`;
const namespace = `bench${randomBytes(3).toString("hex")}`;
const media = mkdtempSync(path.join(tmpdir(), "marquee-bench-media-"));
const assetId = randomUUID();
const contentId = randomUUID();
const pct = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

const cleanups: Array<() => Promise<unknown> | unknown> = [
  () => rmSync(media, { recursive: true, force: true }),
];
let child: ChildProcess | undefined;
try {
  // The keyspace, an asset description, and fakes of the account and content services.
  const cassandra = await openCassandra({ config: backends.cassandra, keyspace, migrations, log });
  cleanups.push(async () => {
    await cassandra.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
    await cassandra.shutdown();
  });
  mkdirSync(path.join(media, assetId));
  writeFileSync(
    path.join(media, assetId, "asset.json"),
    JSON.stringify({
      assetId,
      durationMs: DURATION_MS,
      maxHeight: 1080,
      renditions: VIDEO_LADDER,
      audioBitrateBps: 128_000,
    }),
  );
  const fakes = await serve({
    name: "fakes",
    services: [AccountService, ContentService],
    host: "127.0.0.1",
    port: 0,
    log,
    routes: (r) => {
      r.service(AccountService, {
        getEntitlement: () => ({
          active: true,
          maxHeight: 0,
          maxQuality: VideoQuality.FULL_HD,
          maxStreams: 4,
        }),
      });
      r.service(ContentService, {
        getContentDetails: () => ({
          content: create(ContentSchema, {
            contentId,
            media: { assetId, duration: durationFromMs(DURATION_MS), maxHeight: 1080 },
          }),
        }),
      });
    },
  });
  cleanups.push(() => fakes.close());

  // The streaming service in its own process; durable heartbeats come back on its stdout.
  const durableAt = new Map<string, number>();
  child = spawn(
    process.execPath,
    [
      "--conditions=marquee-source",
      "--import=tsx",
      fileURLToPath(new URL("./heartbeat-service.ts", import.meta.url)),
    ],
    {
      env: {
        ...process.env,
        MARQUEE_BACKENDS: "external",
        MARQUEE_STREAMING_PORT: "0",
        MARQUEE_ACCOUNT_URL: fakes.url,
        MARQUEE_CONTENT_URL: fakes.url,
        MARQUEE_MEDIA_DIR: media,
        MARQUEE_DEMO_TITLES: "0",
        MARQUEE_LOG_LEVEL: "warn",
        BENCH_KEYSPACE: keyspace,
        BENCH_NAMESPACE: namespace,
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child?.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      if (line.startsWith("ready ")) return resolve(Number(line.slice(6)));
      const [msgId, at] = line.split(" ");
      if (msgId && at && !durableAt.has(msgId)) durableAt.set(msgId, Number(at));
    });
    child?.once("exit", (code) => reject(new Error(`streaming exited with ${code}`)));
  });

  // Viewers: one session each, then heartbeats back to back until the time is up.
  const streaming = createClient(
    StreamingService,
    createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` }),
  );
  const sentAt = new Map<string, number>();
  const lastAcked = new Map<string, { profileId: string; positionMs: number }>();
  let errors = 0;
  const rpcLat: number[] = [];
  const open = async () => {
    const userId = randomUUID();
    const profileId = randomUUID();
    const headers = { [CALLER_HEADER]: encodeCaller({ kind: "member", userId, profileId, scopes: [] }) };
    const { sessionId } = await streaming.streamContent(
      { profileId, contentId, deviceId: "bench" },
      { headers },
    );
    return { profileId, headers, sessionId, next: 1 };
  };
  const viewer = async (v: Awaited<ReturnType<typeof open>>, until: number) => {
    const { profileId, headers, sessionId } = v;
    while (Date.now() < until) {
      const seq = v.next++;
      const positionMs = START_MS + seq * 1000;
      const msgId = `${sessionId}:${seq}`;
      const t0 = Date.now();
      sentAt.set(msgId, t0);
      try {
        await streaming.sendHeartbeat(
          {
            sessionId,
            sequence: BigInt(seq),
            eventTime: timestampFromMs(t0),
            position: durationFromMs(positionMs),
            state: PlaybackState.PLAYING,
            renditionId: "720p",
            bitrateBps: 2_500_000n,
            bufferSeconds: 20,
          },
          { headers },
        );
        lastAcked.set(sessionId, { profileId, positionMs });
        rpcLat.push(Date.now() - t0);
      } catch {
        sentAt.delete(msgId);
        errors++;
      }
    }
  };
  // Sessions open first (StreamContent is not what is measured), then a warm-up (JIT, connections,
  // prepared statements), then the measured run.
  const sessions = [];
  for (let i = 0; i < viewers; i += 8)
    sessions.push(...(await Promise.all(Array.from({ length: Math.min(8, viewers - i) }, open))));
  await Promise.all(sessions.map((v) => viewer(v, Date.now() + 2000)));
  const warm = new Set(sentAt.keys());
  const started = Date.now();
  await Promise.all(sessions.map((v) => viewer(v, started + seconds * 1000)));
  const sentEnd = Date.now();
  rpcLat.sort((a, b) => a - b);
  console.log(`SendHeartbeat RPC latency: p50 ${pct(rpcLat, 0.5)} ms, p99 ${pct(rpcLat, 0.99)} ms`);
  const measured = [...sentAt.keys()].filter((k) => !warm.has(k));
  const deadline = Date.now() + 60_000;
  while (measured.some((k) => !durableAt.has(k)) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  const lost = measured.filter((k) => !durableAt.has(k)).length;
  const latencies = measured
    .filter((k) => durableAt.has(k))
    .map((k) => (durableAt.get(k) as number) - (sentAt.get(k) as number))
    .sort((a, b) => a - b);
  const lastDurable = Math.max(...measured.map((k) => durableAt.get(k) ?? 0));
  const pipelinePerSecond = (measured.length - lost) / ((lastDurable - started) / 1000);

  // Rows check: every viewer's progress row holds its last acknowledged position.
  let wrongRows = 0;
  for (const [, { profileId, positionMs }] of lastAcked) {
    const rs = await cassandra.execute(
      "SELECT position_ms FROM playback_progress WHERE profile_id = ? AND content_id = ?",
      [profileId, contentId],
      {
        prepare: true,
      },
    );
    if (Number(rs.first()?.position_ms) !== positionMs) wrongRows++;
  }

  // Raw ceiling: the writer's two prepared INSERTs per heartbeat, same concurrency, no pipeline.
  const raw = new Client({
    contactPoints: backends.cassandra.contactPoints,
    localDataCenter: backends.cassandra.localDataCenter,
    keyspace,
    queryOptions: { prepare: true, consistency: types.consistencies.localQuorum },
  });
  await raw.connect();
  cleanups.push(() => raw.shutdown());
  const progressQ =
    "INSERT INTO playback_progress (profile_id, content_id, episode_id, position_ms, duration_ms, completed, device_id, update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?";
  const historyQ =
    "INSERT INTO viewing_history (profile_id, month, watched_at, content_id, episode_id, session_id, position_ms, duration_ms, completed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?";
  let rawCount = 0;
  const rawLat: number[] = [];
  const rawWorker = async (until: number) => {
    const profileId = randomUUID();
    const sessionId = randomUUID();
    const watchedAt = new Date();
    for (let seq = 1; Date.now() < until; seq++) {
      const t0 = Date.now();
      const ts = types.Long.fromNumber(t0 * 1000);
      const pos = types.Long.fromNumber(START_MS + seq * 1000);
      const dur = types.Long.fromNumber(DURATION_MS);
      await Promise.all([
        raw.execute(progressQ, [profileId, contentId, "", pos, dur, false, "bench", new Date(t0), ts], {
          prepare: true,
        }),
        raw.execute(historyQ, [profileId, 202611, watchedAt, contentId, "", sessionId, pos, dur, false, ts], {
          prepare: true,
        }),
      ]);
      rawLat.push(Date.now() - t0);
      rawCount++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, viewers) }, () => rawWorker(Date.now() + 1500)));
  rawCount = 0;
  rawLat.length = 0;
  const rawStart = Date.now();
  await Promise.all(Array.from({ length: viewers }, () => rawWorker(rawStart + seconds * 1000)));
  const rawPerSecond = rawCount / ((Date.now() - rawStart) / 1000);
  rawLat.sort((a, b) => a - b);

  console.table([
    {
      path: "heartbeat → gRPC → JetStream → history-writer → Cassandra",
      "heartbeats/s": Math.round(pipelinePerSecond),
      "p50 ms (to durable)": pct(latencies, 0.5),
      "p99 ms (to durable)": pct(latencies, 0.99),
      heartbeats: measured.length,
      lost,
      "rpc errors": errors,
      "wrong rows": wrongRows,
    },
    {
      path: "raw ceiling: prepared Cassandra writes, no pipeline",
      "heartbeats/s": Math.round(rawPerSecond),
      "p50 ms (to durable)": pct(rawLat, 0.5),
      "p99 ms (to durable)": pct(rawLat, 0.99),
      heartbeats: rawCount,
      lost: 0,
      "rpc errors": 0,
      "wrong rows": 0,
    },
  ]);
  console.log(
    `pipeline/raw ratio: ${(pipelinePerSecond / rawPerSecond).toFixed(2)} (target >= 0.8); lost: ${lost} (must be 0) — ${seconds}s, ${viewers} viewers, sending ended ${((sentEnd - started) / 1000).toFixed(1)}s after start`,
  );
  // The namespaced streams go too.
  const nc = await connectNats(backends.nats, "bench-cleanup");
  const jsm = await natsManager(nc);
  for (const s of ["PLAYBACK", "DOMAIN"])
    await jsm.streams.delete(`${namespace.toUpperCase()}_${s}`).catch(() => {});
  await nc.close();
} finally {
  child?.kill("SIGTERM");
  for (const c of cleanups.reverse()) await c();
}
