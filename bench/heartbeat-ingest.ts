/**
 * Sustained heartbeat ingest, bounded in time, through the gateway: simulated
 * viewers (members with four profiles, a profile token and a playback session per profile) report
 * readings back to back (closed loop) with SendHeartbeats through the gateway
 * to the streaming service, which publishes each report (the readings of one
 * call) to JetStream PLAYBACK as one message (msgID sessionId:firstSeq-lastSeq);
 * the durable history-writer writes Cassandra. Prints heartbeats (readings) made
 * durable per second, p50/p99 report-to-durable latency, the readings lost
 * (must be 0), and the CPU each process used — once with one reading
 * per request and once with `--readings` per request (a player that reads every
 * heartbeat interval and reports every report interval) — next to the raw
 * ceiling measured in the same run: the writer's two prepared Cassandra writes
 * per heartbeat at the same concurrency, no pipeline. Ratio target >= 0.8.
 * A third phase measures the bus floor (only the JetStream publish, delivery
 * and ack per report of `--readings`); with the machine CPU each phase spends
 * per heartbeat it bounds what any pipeline that publishes every report and
 * passes every request through the gateway can reach against raw.
 *
 * Processes: this one (load and the account/content fakes), the gateway and
 * the user service (embedded store), and the streaming service and its
 * consumers (history writer) as two processes, as in production, on real
 * Cassandra and NATS in a fresh keyspace and stream namespace, removed after.
 *
 *   node --conditions=marquee-source --import tsx bench/heartbeat-ingest.ts [--seconds 10] [--viewers 64] [--readings 10]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { create } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { startMembersPlatform } from "@marquee/gateway/testing/members";
import { createLogger, loadBackendsConfig, serve } from "@marquee/kit";
import { EVENTS, encodeEvent } from "@marquee/kit/bus";
import { connectNats, createJetStreamBus, natsManager } from "@marquee/kit/bus/jetstream";
import { openCassandra } from "@marquee/kit/cassandra";
import { waitFor } from "@marquee/kit/testing";
import { AccountService } from "@marquee/sdk/marquee/account/v1/account_service_pb";
import { VideoQuality } from "@marquee/sdk/marquee/common/v1/video_quality_pb";
import { ContentSchema } from "@marquee/sdk/marquee/content/v1/content_pb";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { PlaybackState, StreamingService } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import { UserService } from "@marquee/sdk/marquee/user/v1/user_service_pb";
import { VIDEO_LADDER } from "@marquee/streaming/ingest/ladder";
import { migrations } from "@marquee/streaming/migrations";
import { Client, types } from "cassandra-driver";
import { coresOf, cpuShare, pidOf } from "./lib/cpu.js";
import { leanUnary } from "./lib/lean-grpc.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    viewers: { type: "string", default: "64" },
    readings: { type: "string", default: "10" },
  },
});
const seconds = Number(values.seconds);
const viewers = Number(values.viewers);
const batch = Number(values.readings);
const STREAMS_PER_MEMBER = 4;
const DURATION_MS = 10 * 3600_000;
const START_MS = 40 * 60_000;
const backends = loadBackendsConfig();
const log = createLogger("bench", "warn");
const keyspace = `marquee_bench_streaming_${randomBytes(3).toString("hex")}`;
const namespace = `bench${randomBytes(3).toString("hex")}`;
const work = mkdtempSync(path.join(tmpdir(), "marquee-bench-hb-"));
const media = path.join(work, "media");
const durableFile = path.join(work, "durable.txt");
const assetId = randomUUID();
const contentId = randomUUID();
const pct = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

const cleanups: Array<() => Promise<unknown> | unknown> = [
  () => rmSync(work, { recursive: true, force: true }),
];
const children: ChildProcess[] = [];
/** Stream namespaces this run created; their streams are deleted at the end. */
const namespaces = [namespace];
cleanups.push(async () => {
  const nc = await connectNats(backends.nats, "bench-cleanup");
  const jsm = await natsManager(nc);
  for (const ns of namespaces)
    for (const s of ["PLAYBACK", "DOMAIN"])
      await jsm.streams.delete(`${ns.toUpperCase()}_${s}`).catch(() => {});
  await nc.close();
});
try {
  // The keyspace, an asset description, and fakes of the account and content services.
  const cassandra = await openCassandra({ config: backends.cassandra, keyspace, migrations, log });
  cleanups.push(async () => {
    await cassandra.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
    await cassandra.shutdown();
  });
  mkdirSync(path.join(media, assetId), { recursive: true });
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
          maxStreams: STREAMS_PER_MEMBER,
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

  // The streaming service and its consumers, each its own process; the consumers count durable
  // heartbeats (readings) and dump the durable reports on request.
  let durableCount = 0;
  let progressWrites = 0;
  let dumped = 0;
  const startRole = (role: "service" | "consumers") => {
    const proc = spawn(
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
          BENCH_ROLE: role,
          BENCH_KEYSPACE: keyspace,
          BENCH_NAMESPACE: namespace,
          BENCH_DURABLE_FILE: durableFile,
        },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    children.push(proc);
    return new Promise<{ proc: ChildProcess; port: number }>((resolve, reject) => {
      const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
      lines.on("line", (line) => {
        const [word, a, b] = line.split(" ");
        if (word === "ready") resolve({ proc, port: Number(a) });
        else if (word === "durable") [durableCount, progressWrites] = [Number(a), Number(b)];
        else if (word === "dumped") dumped++;
      });
      proc.once("exit", (code) => reject(new Error(`streaming ${role} exited with ${code}`)));
    });
  };
  const [service, consumers] = await Promise.all([startRole("service"), startRole("consumers")]);
  const port = service.port;

  // The gateway and the user service, members with a profile each, and their sessions through the gateway.
  const platform = await startMembersPlatform({
    MARQUEE_LOG_LEVEL: "error",
    MARQUEE_STREAMING_URL: `http://127.0.0.1:${port}`,
    MARQUEE_ACCOUNT_URL: fakes.url,
    MARQUEE_CONTENT_URL: fakes.url,
  });
  cleanups.push(() => platform.close());
  const transport = createGrpcTransport({ baseUrl: platform.gatewayUrl });
  const users = createClient(UserService, transport);
  const streaming = createClient(StreamingService, transport);
  const password = "benchmark password 123";
  const member = async (i: number) => {
    const email = `viewer.${i}.${randomBytes(3).toString("hex")}@example.com`;
    const { user } = await users.registerUser({
      email,
      password,
      name: `Viewer ${i}`,
      dateOfBirth: "1990-01-01",
      country: "NO",
    });
    const { tokens } = await users.login({ email, password, deviceName: "bench" });
    const bearer = { authorization: `Bearer ${tokens?.accessToken}` };
    // A profile per session: each viewer's progress row is its own, so the end state can be checked.
    return Promise.all(
      Array.from({ length: STREAMS_PER_MEMBER }, async (_, d) => {
        const { profile } = await users.createProfile(
          { userId: user?.userId ?? "", name: `Viewer ${d}` },
          { headers: bearer },
        );
        const profileId = profile?.profileId ?? "";
        const selected = await users.selectProfile({ profileId }, { headers: bearer });
        const headers = { authorization: `Bearer ${selected.accessToken}` };
        const { sessionId } = await streaming.streamContent(
          { profileId, contentId, deviceId: `device-${d}` },
          { headers },
        );
        return { profileId, headers, sessionId, next: 1 };
      }),
    );
  };
  const sessions: Awaited<ReturnType<typeof member>> = [];
  for (let i = 0; i < Math.ceil(viewers / STREAMS_PER_MEMBER); i += 4) {
    const n = Math.min(4, Math.ceil(viewers / STREAMS_PER_MEMBER) - i);
    sessions.push(...(await Promise.all(Array.from({ length: n }, (_, j) => member(i + j)))).flat());
  }
  sessions.length = viewers;

  // Load: each viewer sends its next report as soon as the last one is answered.
  const report = leanUnary(platform.gatewayUrl, StreamingService.method.sendHeartbeats);
  cleanups.push(() => report.close());
  const sentAt = new Map<string, number>();
  const lastAcked = new Map<string, { profileId: string; positionMs: number }>();
  let errors = 0;
  let lastError = "";
  let acknowledged = 0;
  /** One phase of load; resolves to the msgIds of the reports acknowledged (each of readingsPerReport). */
  const run = async (readingsPerReport: number, ms: number) => {
    const until = Date.now() + ms;
    const ids: string[] = [];
    let requests = 0;
    await Promise.all(
      sessions.map(async (v) => {
        while (Date.now() < until) {
          const t0 = Date.now();
          const readings = Array.from({ length: readingsPerReport }, (_, i) => {
            const seq = v.next + i;
            return {
              sequence: BigInt(seq),
              eventTime: timestampFromMs(t0 - (readingsPerReport - 1 - i)),
              position: durationFromMs(START_MS + seq * 1000),
              state: PlaybackState.PLAYING,
              renditionId: "720p",
              bitrateBps: 2_500_000n,
              bufferSeconds: 20,
            };
          });
          const id = `${v.sessionId}:${v.next}-${v.next + readingsPerReport - 1}`;
          v.next += readingsPerReport;
          sentAt.set(id, t0);
          try {
            await report.call({ sessionId: v.sessionId, readings }, v.headers);
            ids.push(id);
            acknowledged += readingsPerReport;
            requests++;
            lastAcked.set(v.sessionId, {
              profileId: v.profileId,
              positionMs: START_MS + (v.next - 1) * 1000,
            });
          } catch (err) {
            errors++;
            lastError = (err as Error).message;
          }
        }
      }),
    );
    return { ids, requests };
  };
  const watched = {
    "load+fakes": process.pid,
    gateway: pidOf("gateway/src/main.ts"),
    user: pidOf("services/user/src/main.ts"),
    streaming: service.proc.pid,
    consumers: consumers.proc.pid,
    "nats-server": pidOf("nats-server"),
    cassandra: pidOf("CassandraDaemon"),
  };
  /** One measured phase: warm-up, `seconds` of load, then every acknowledged report durable. */
  const phase = async (readingsPerReport: number) => {
    await run(readingsPerReport, 2_000);
    const cpu = cpuShare(watched);
    const started = Date.now();
    const { ids, requests } = await run(readingsPerReport, seconds * 1000);
    const sendMs = Date.now() - started;
    // Every acknowledged reading (warm-ups too) durable, or a minute passed and the rest count as lost.
    await waitFor("acknowledged heartbeats durable", () => durableCount >= acknowledged, 60_000).catch(
      () => {},
    );
    const cores = cpu();
    const before = dumped;
    consumers.proc.kill("SIGUSR2");
    await waitFor("the durable list", () => dumped > before, 30_000);
    const durableAt = new Map(
      readFileSync(durableFile, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => {
          const [id, at] = l.split(" ");
          return [id as string, Number(at)] as const;
        }),
    );
    const lost = ids.filter((id) => !durableAt.has(id)).length * readingsPerReport;
    const heartbeats = ids.length * readingsPerReport;
    const latencies = ids
      .filter((id) => durableAt.has(id))
      .map((id) => (durableAt.get(id) as number) - (sentAt.get(id) as number))
      .sort((a, b) => a - b);
    const lastDurable = Math.max(...ids.map((id) => durableAt.get(id) ?? 0));
    return {
      perSecond: (heartbeats - lost) / ((Math.max(lastDurable, started + sendMs) - started) / 1000),
      requestsPerSecond: requests / (sendMs / 1000),
      p50: pct(latencies, 0.5),
      p99: pct(latencies, 0.99),
      heartbeats,
      lost,
      cores,
    };
  };
  const single = await phase(1);
  const writesBefore = progressWrites;
  const durableBefore = durableCount;
  const batched = await phase(batch);
  const writesPerHeartbeat = (progressWrites - writesBefore) / Math.max(1, durableCount - durableBefore);

  // Rows check: every viewer's progress row holds its last acknowledged position.
  let wrongRows = 0;
  for (const [, { profileId, positionMs }] of lastAcked) {
    const rs = await cassandra.execute(
      "SELECT position_ms FROM playback_progress WHERE profile_id = ? AND content_id = ?",
      [profileId, contentId],
      { prepare: true },
    );
    if (Number(rs.first()?.position_ms) !== positionMs) wrongRows++;
  }

  // Bus floor: only the JetStream work the design needs per heartbeat, at the same concurrency
  // (each viewer's readings published as one report with its msgID, and a durable consumer acking
  // each) — no RPC, no decoding, no Cassandra. Its CPU per heartbeat is a lower bound on the
  // pipeline's.
  const floorNamespace = `${namespace}floor`;
  const floorBus = await createJetStreamBus({
    config: backends.nats,
    name: "bench-bus-floor",
    log,
    namespace: floorNamespace,
  });
  cleanups.push(() => floorBus.close());
  namespaces.push(floorNamespace);
  let floorConsumed = 0;
  const floorSub = await floorBus.consume({
    stream: "PLAYBACK",
    durable: "bus-floor",
    filter: EVENTS.playbackReport.pattern,
    maxInFlight: 512,
    handler: async () => {
      floorConsumed += batch;
    },
  });
  const floorEvent = encodeEvent(EVENTS.playbackReport, {
    sessionId: randomUUID(),
    userId: randomUUID(),
    profileId: randomUUID(),
    contentId,
    duration: durationFromMs(DURATION_MS),
    deviceId: "device-0",
    country: "NO",
    readings: Array.from({ length: batch }, (_, i) => ({
      sequence: BigInt(i + 1),
      eventTime: timestampFromMs(Date.now()),
      position: durationFromMs(START_MS + i * 1000),
      state: PlaybackState.PLAYING,
      renditionId: "720p",
      bitrateBps: 2_500_000n,
      bufferSeconds: 20,
    })),
  });
  let floorPublished = 0;
  // Sequences go on across runs: a msgID seen in the warm-up would be dropped as a duplicate.
  let floorSeq = 0;
  const floorRun = (ms: number) => {
    const until = Date.now() + ms;
    return Promise.all(
      sessions.map(async (v) => {
        while (Date.now() < until) {
          const first = floorSeq;
          floorSeq += batch;
          await floorBus.publish(
            EVENTS.playbackReport.subject(v.profileId),
            floorEvent,
            `${v.sessionId}:${first}-${floorSeq - 1}`,
          );
          floorPublished += batch;
        }
      }),
    );
  };
  await floorRun(2_000);
  await waitFor("warm-up consumed", () => floorConsumed >= floorPublished, 60_000);
  floorPublished = floorConsumed = 0;
  const floorCpu = cpuShare(watched);
  const floorStart = Date.now();
  await floorRun(seconds * 1000);
  await waitFor("bus floor consumed", () => floorConsumed >= floorPublished, 60_000);
  const floorPerSecond = floorPublished / ((Date.now() - floorStart) / 1000);
  const floorCores = floorCpu();
  await floorSub.stop();

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
  const rawCpu = cpuShare(watched);
  const rawStart = Date.now();
  await Promise.all(Array.from({ length: viewers }, () => rawWorker(rawStart + seconds * 1000)));
  const rawPerSecond = rawCount / ((Date.now() - rawStart) / 1000);
  const rawCores = rawCpu();
  rawLat.sort((a, b) => a - b);

  const row = (label: string, r: typeof single, perRequest: number) => ({
    path: label,
    "heartbeats/s": Math.round(r.perSecond),
    "requests/s": Math.round(r.requestsPerSecond),
    "p50 ms": r.p50,
    "p99 ms": r.p99,
    heartbeats: r.heartbeats,
    lost: r.lost,
    ratio: (r.perSecond / rawPerSecond).toFixed(2),
    perRequest,
  });
  console.table([
    row("gateway → streaming → JetStream → writer → Cassandra", single, 1),
    row("same, readings reported together", batched, batch),
    {
      path: "bus floor: JetStream publish, delivery and ack only",
      "heartbeats/s": Math.round(floorPerSecond),
      "requests/s": "-",
      "p50 ms": "-",
      "p99 ms": "-",
      heartbeats: floorPublished,
      lost: floorPublished - floorConsumed,
      ratio: (floorPerSecond / rawPerSecond).toFixed(2),
      perRequest: batch,
    },
    {
      path: "raw ceiling: prepared Cassandra writes, no pipeline",
      "heartbeats/s": Math.round(rawPerSecond),
      "requests/s": "-",
      "p50 ms": pct(rawLat, 0.5),
      "p99 ms": pct(rawLat, 0.99),
      heartbeats: rawCount,
      lost: 0,
      ratio: "1.00",
      perRequest: "-",
    },
  ]);
  console.log("cores busy per process (of 2):");
  console.table({
    "1 reading/request": single.cores,
    [`${batch} readings/request`]: batched.cores,
    "bus floor": floorCores,
    raw: rawCores,
  });
  // Machine CPU (every watched process) per heartbeat, and the least any pipeline of this design
  // spends: the bus floor, the gateway hop, the viewers' own client and its durable writes (at
  // raw's cost per write) — before the streaming service and the writer do any work of their own.
  const perHeartbeat = (cores: number, perSecond: number) => (cores * 1e6) / perSecond;
  const rawUs = perHeartbeat(coresOf(rawCores), rawPerSecond);
  const busUs = perHeartbeat(coresOf(floorCores, ["load+fakes", "nats-server"]), floorPerSecond);
  const gatewayUs = perHeartbeat(coresOf(batched.cores, ["gateway"]), batched.perSecond);
  const clientUs = perHeartbeat(coresOf(batched.cores, ["load+fakes"]), batched.perSecond);
  const writesUs = writesPerHeartbeat * rawUs;
  const leastUs = busUs + gatewayUs + clientUs + writesUs;
  const us = (n: number) => n.toFixed(0);
  console.log(
    [
      `pipeline/raw ratio: ${(batched.perSecond / rawPerSecond).toFixed(2)} with ${batch} readings per request, ${(single.perSecond / rawPerSecond).toFixed(2)} with one (target >= 0.8)`,
      `lost: ${single.lost + batched.lost} (must be 0); rpc errors: ${errors}${errors ? ` (last: ${lastError})` : ""}; wrong progress rows: ${wrongRows}`,
      `progress writes per durable heartbeat (batched phase): ${writesPerHeartbeat.toFixed(2)} (each is two rows)`,
      `machine CPU per heartbeat, µs: ${us(perHeartbeat(coresOf(single.cores), single.perSecond))} one reading/request, ${us(perHeartbeat(coresOf(batched.cores), batched.perSecond))} ${batch} readings/request, ${us(perHeartbeat(coresOf(floorCores), floorPerSecond))} bus floor, ${us(perHeartbeat(coresOf(rawCores), rawPerSecond))} raw`,
      `bound: raw spends ${us(rawUs)} µs per heartbeat; this design spends at least ${us(leastUs)} µs (bus ${us(busUs)} + gateway hop ${us(gatewayUs)} + viewers' client ${us(clientUs)} + durable writes ${us(writesUs)}), so per core-second it carries at most ${(rawUs / leastUs).toFixed(2)} of raw's heartbeats`,
      `${seconds} s per phase, ${viewers} viewers (${STREAMS_PER_MEMBER} profiles with a session each per member), closed loop`,
    ].join("\n"),
  );
} finally {
  for (const proc of children) {
    if (proc.exitCode === null) {
      proc.kill("SIGTERM");
      await once(proc, "exit");
    }
  }
  for (const c of cleanups.reverse()) await c();
}
