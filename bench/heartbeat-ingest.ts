/**
 * Sustained heartbeat ingest, bounded in time, through the gateway: simulated
 * viewers (members with four profiles, a profile token and a playback session
 * per profile) send SendHeartbeats reports back to back (closed loop, the
 * same concurrency in every phase) through the gateway to the streaming
 * service. Phases, in one run:
 *
 * - **receive-only floor**: the same calls, through the same gateway, to the
 *   same streaming process with its bus switched to drop every publish (see
 *   heartbeat-service.ts): the service checks and answers, publishes nothing;
 * - **pipeline**: the real path to durable Cassandra rows, each report one
 *   PLAYBACK message (msgID sessionId:firstSeq-lastSeq) that the history writer,
 *   in its own process as in production, writes and acks;
 * - **raw ceiling**: the writer's two prepared Cassandra writes per heartbeat,
 *   no pipeline.
 *
 * The floor and the pipeline run at the production shape (a reading every
 * 10 s reported every 20 s: 2 readings per report) and at `--readings` per
 * report (a player back from a network loss, or a longer report interval).
 * Each prints heartbeats (readings) per second (durable ones for the
 * pipeline), reports per second, p99 report → durable (floor: → answered),
 * the readings lost (acknowledged, never durable: must be 0), the CPU each
 * process spends per heartbeat and the viewers the platform's processes
 * sustain per core at the production intervals (a viewer sends 0.1 readings
 * per second), next to the targets.
 *
 * Processes: this one (load and the account/content fakes), the gateway and
 * the user service (embedded store), and the streaming service and its
 * consumers (history writer) as two processes, as in production, on real
 * Cassandra and NATS in a fresh keyspace and stream namespace, removed after.
 * With `--cpu-prof <dir>` the streaming service and the consumers write a CPU
 * profile of every measured phase there (summarise with bench/profile-top.ts).
 *
 *   node --conditions=marquee-source --import tsx bench/heartbeat-ingest.ts [--seconds 10] [--viewers 64] [--readings 10] [--cpu-prof dir]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
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
import { connectNats, natsManager } from "@marquee/kit/bus/jetstream";
import { openCassandra } from "@marquee/kit/cassandra";
import { waitFor } from "@marquee/kit/testing";
import { AccountService } from "@marquee/sdk/marquee/account/v1/account_service_pb";
import { VideoQuality } from "@marquee/sdk/marquee/common/v1/video_quality_pb";
import { ContentSchema } from "@marquee/sdk/marquee/content/v1/content_pb";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { PlaybackState, StreamingService } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import { UserService } from "@marquee/sdk/marquee/user/v1/user_service_pb";
import { writeBareAsset } from "@marquee/streaming/ingest/bare-asset";
import { migrations } from "@marquee/streaming/migrations";
import { Client, types } from "cassandra-driver";
import { coresOf, cpuShare, machineShare, pidOf } from "./lib/cpu.js";
import { leanUnary } from "./lib/lean-grpc.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    viewers: { type: "string", default: "64" },
    readings: { type: "string", default: "10" },
    "cpu-prof": { type: "string" },
  },
});
const seconds = Number(values.seconds);
const viewers = Number(values.viewers);
/** Readings per report: the production shape (10 s readings, 20 s reports) and the larger one. */
const SHAPES = [2, Number(values.readings)];
/** Readings a viewer sends per second at the production intervals. */
const VIEWER_READINGS_PER_SECOND = 0.1;
const TARGETS = { toFloor: 0.8, toRaw: 1.0, p99Ms: 1_000 };
const profileDir = values["cpu-prof"] === undefined ? undefined : path.resolve(values["cpu-prof"]);
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
cleanups.push(async () => {
  const nc = await connectNats(backends.nats, "bench-cleanup");
  const jsm = await natsManager(nc);
  for (const s of ["PLAYBACK", "DOMAIN"])
    await jsm.streams.delete(`${namespace.toUpperCase()}_${s}`).catch(() => {});
  await nc.close();
});
try {
  // The keyspace, an asset description, and fakes of the account and content services.
  const cassandra = await openCassandra({ config: backends.cassandra, keyspace, migrations, log });
  cleanups.push(async () => {
    await cassandra.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
    await cassandra.shutdown();
  });
  writeBareAsset(media, assetId, DURATION_MS);
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

  // The streaming service and its consumers, each its own process, driven by lines on stdin (see
  // heartbeat-service.ts); the consumers count durable heartbeats (readings) and dump the durable
  // reports on request.
  let durableCount = 0;
  let progressWrites = 0;
  const replies: string[] = [];
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
        stdio: ["pipe", "pipe", "inherit"],
      },
    );
    children.push(proc);
    return new Promise<{ proc: ChildProcess; port: number; pid: number }>((resolve, reject) => {
      const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
      lines.on("line", (line) => {
        const [word, a, b] = line.split(" ");
        if (word === "ready") resolve({ proc, port: Number(a), pid: proc.pid as number });
        else if (word === "durable") [durableCount, progressWrites] = [Number(a), Number(b)];
        else replies.push(line);
      });
      proc.once("exit", (code) => reject(new Error(`streaming ${role} exited with ${code}`)));
    });
  };
  /** Sends a command to a role's process and waits for the reply line that starts with `reply`. */
  const command = async (proc: ChildProcess, line: string, reply: string) => {
    const seen = replies.length;
    proc.stdin?.write(`${line}\n`);
    await waitFor(`"${reply}" after "${line}"`, () => replies.slice(seen).includes(reply), 60_000);
  };
  const [service, consumers] = await Promise.all([startRole("service"), startRole("consumers")]);

  // The gateway and the user service, members with a profile each, and their sessions through the gateway.
  const platform = await startMembersPlatform({
    MARQUEE_LOG_LEVEL: "error",
    MARQUEE_STREAMING_URL: `http://127.0.0.1:${service.port}`,
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
  /** Readings acknowledged while publishing: each must become durable. */
  let acknowledged = 0;
  /** One stretch of load; resolves to the msgIds of the reports acknowledged and their answer times. */
  const run = async (readingsPerReport: number, ms: number, publishing: boolean) => {
    const until = Date.now() + ms;
    const ids: string[] = [];
    const answerMs: number[] = [];
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
          try {
            await report.call({ sessionId: v.sessionId, readings }, v.headers);
            ids.push(id);
            answerMs.push(Date.now() - t0);
            if (publishing) {
              sentAt.set(id, t0);
              acknowledged += readingsPerReport;
              lastAcked.set(v.sessionId, {
                profileId: v.profileId,
                positionMs: START_MS + (v.next - 1) * 1000,
              });
            }
          } catch (err) {
            errors++;
            lastError = (err as Error).message;
          }
        }
      }),
    );
    return { ids, answerMs: answerMs.sort((a, b) => a - b) };
  };
  const watched = {
    "load+fakes": process.pid,
    // By their full path: another checkout's processes may be running too.
    gateway: pidOf(fileURLToPath(new URL("../gateway/src/main.ts", import.meta.url))),
    user: pidOf(fileURLToPath(new URL("../services/user/src/main.ts", import.meta.url))),
    streaming: service.pid,
    consumers: consumers.pid,
    "nats-server": pidOf("nats-server"),
    cassandra: pidOf("CassandraDaemon"),
  };
  /** What serves viewers: every watched process but this one (the viewers' client and the fakes). */
  const PLATFORM = Object.keys(watched).filter((k) => k !== "load+fakes");

  interface Measured {
    phase: string;
    readingsPerReport: number | undefined;
    perSecond: number;
    reportsPerSecond: number | undefined;
    p50: number;
    p99: number;
    lost: number | undefined;
    cores: Record<string, string>;
    /** Cores the whole machine kept busy (every process and the kernel), and of those on interrupts. */
    machine: { busy: number; irq: number };
  }
  const profiled = async (label: string, measure: () => Promise<void>) => {
    if (profileDir !== undefined)
      for (const p of [service, consumers]) await command(p.proc, "profile start", "profiling");
    await measure();
    if (profileDir === undefined) return;
    for (const [name, p] of [
      ["streaming", service],
      ["consumers", consumers],
    ] as const) {
      const file = path.join(profileDir, `${label}-${name}.cpuprofile`);
      await command(p.proc, `profile stop ${file}`, `profiled ${file}`);
    }
  };

  /** The receive-only floor: the service answers without publishing. */
  const floor = async (readingsPerReport: number): Promise<Measured> => {
    await command(service.proc, "publish off", "publishing off");
    await run(readingsPerReport, 2_000, false);
    let result: { ids: string[]; answerMs: number[] } = { ids: [], answerMs: [] };
    let cores: Record<string, string> = {};
    let machine = { busy: 0, irq: 0 };
    let sendMs = 0;
    await profiled(`floor-${readingsPerReport}`, async () => {
      const cpu = cpuShare(watched);
      const all = machineShare();
      const started = Date.now();
      result = await run(readingsPerReport, seconds * 1000, false);
      sendMs = Date.now() - started;
      cores = cpu();
      machine = all();
    });
    await command(service.proc, "publish on", "publishing on");
    return {
      phase: "receive-only floor",
      readingsPerReport,
      perSecond: (result.ids.length * readingsPerReport) / (sendMs / 1000),
      reportsPerSecond: result.ids.length / (sendMs / 1000),
      p50: pct(result.answerMs, 0.5),
      p99: pct(result.answerMs, 0.99),
      lost: undefined,
      cores,
      machine,
    };
  };

  /** The pipeline: warm-up, `seconds` of load, then every acknowledged report durable. */
  const pipeline = async (readingsPerReport: number): Promise<Measured> => {
    await run(readingsPerReport, 2_000, true);
    await waitFor("warm-up durable", () => durableCount >= acknowledged, 60_000);
    let ids: string[] = [];
    let cores: Record<string, string> = {};
    let machine = { busy: 0, irq: 0 };
    let started = 0;
    let sendMs = 0;
    await profiled(`pipeline-${readingsPerReport}`, async () => {
      const cpu = cpuShare(watched);
      const all = machineShare();
      started = Date.now();
      ids = (await run(readingsPerReport, seconds * 1000, true)).ids;
      sendMs = Date.now() - started;
      // Every acknowledged reading (warm-ups too) durable, or a minute passed and the rest count as lost.
      await waitFor("acknowledged heartbeats durable", () => durableCount >= acknowledged, 60_000).catch(
        () => {},
      );
      cores = cpu();
      machine = all();
    });
    await command(consumers.proc, "dump", "dumped");
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
    const latencies = ids
      .filter((id) => durableAt.has(id))
      .map((id) => (durableAt.get(id) as number) - (sentAt.get(id) as number))
      .sort((a, b) => a - b);
    const lastDurable = Math.max(...ids.map((id) => durableAt.get(id) ?? 0));
    const wallMs = Math.max(lastDurable, started + sendMs) - started;
    return {
      phase: "pipeline",
      readingsPerReport,
      perSecond: (ids.length * readingsPerReport - lost) / (wallMs / 1000),
      reportsPerSecond: ids.length / (sendMs / 1000),
      p50: pct(latencies, 0.5),
      p99: pct(latencies, 0.99),
      lost,
      cores,
      machine,
    };
  };

  const phases: Measured[] = [];
  const writes: Record<number, number> = {};
  for (const shape of SHAPES) {
    phases.push(await floor(shape));
    const [w, d] = [progressWrites, durableCount];
    phases.push(await pipeline(shape));
    writes[shape] = (progressWrites - w) / Math.max(1, durableCount - d);
  }

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
  const rawMachine = machineShare();
  const rawStart = Date.now();
  await Promise.all(Array.from({ length: viewers }, () => rawWorker(rawStart + seconds * 1000)));
  const rawPerSecond = rawCount / ((Date.now() - rawStart) / 1000);
  const rawCores = rawCpu();
  const rawMachineCores = rawMachine();
  rawLat.sort((a, b) => a - b);
  phases.push({
    phase: "raw ceiling (2 prepared writes each)",
    readingsPerReport: undefined,
    perSecond: rawPerSecond,
    reportsPerSecond: undefined,
    p50: pct(rawLat, 0.5),
    p99: pct(rawLat, 0.99),
    lost: 0,
    cores: rawCores,
    machine: rawMachineCores,
  });

  // What sustains viewers: the platform's processes; for raw, the writer's client (this process)
  // and Cassandra, since there the client is the writer.
  const servingCores = (m: Measured) =>
    m.readingsPerReport === undefined ? coresOf(m.cores) : coresOf(m.cores, PLATFORM);
  const viewersPerCore = (m: Measured) => m.perSecond / servingCores(m) / VIEWER_READINGS_PER_SECOND;
  const floorOf = (shape: number) =>
    phases.find((p) => p.phase === "receive-only floor" && p.readingsPerReport === shape) as Measured;
  const ratio = (n: number) => n.toFixed(2);
  console.table(
    phases.map((m) => ({
      phase: m.phase,
      "readings/report": m.readingsPerReport ?? "-",
      "heartbeats/s": Math.round(m.perSecond),
      "reports/s": m.reportsPerSecond === undefined ? "-" : Math.round(m.reportsPerSecond),
      "p50 ms": m.p50,
      "p99 ms": m.p99,
      lost: m.lost ?? "-",
      "cores busy": servingCores(m).toFixed(2),
      "machine cores": m.machine.busy.toFixed(2),
      "of which irq": m.machine.irq.toFixed(2),
      "viewers/core": Math.round(viewersPerCore(m)),
      "to floor":
        m.phase === "pipeline" ? ratio(m.perSecond / floorOf(m.readingsPerReport ?? 0).perSecond) : "-",
      "to raw": ratio(m.perSecond / rawPerSecond),
    })),
  );
  console.log(
    "p99: floor → answered; pipeline → durable; raw → both writes answered. Cores busy: the platform's processes (raw: client and Cassandra); machine cores: all of the machine's 2, kernel included; irq: interrupt handling (loopback networking), charged to no process.",
  );
  console.log("µs of CPU per heartbeat, per process:");
  console.table(
    Object.fromEntries(
      phases.map((m) => [
        `${m.phase.split(" ")[0]}${m.readingsPerReport === undefined ? "" : ` ×${m.readingsPerReport}`}`,
        {
          ...Object.fromEntries(
            Object.keys(watched).map((k) => [k, Math.round((coresOf(m.cores, [k]) * 1e6) / m.perSecond)]),
          ),
          platform: Math.round((coresOf(m.cores, PLATFORM) * 1e6) / m.perSecond),
        },
      ]),
    ),
  );
  const met = (ok: boolean) => (ok ? "met" : "NOT met");
  const lines: string[] = [];
  for (const shape of SHAPES) {
    const p = phases.find((m) => m.phase === "pipeline" && m.readingsPerReport === shape) as Measured;
    const toFloor = p.perSecond / floorOf(shape).perSecond;
    lines.push(
      `${shape} readings/report: pipeline/floor ${ratio(toFloor)} (target >= ${TARGETS.toFloor}: ${met(toFloor >= TARGETS.toFloor)}), pipeline/raw ${ratio(p.perSecond / rawPerSecond)}${shape === SHAPES[1] ? ` (target >= ${TARGETS.toRaw}: ${met(p.perSecond / rawPerSecond >= TARGETS.toRaw)})` : ""}, p99 report → durable ${p.p99} ms (target <= ${TARGETS.p99Ms}: ${met(p.p99 <= TARGETS.p99Ms)}), lost ${p.lost} (must be 0: ${met(p.lost === 0)}), ${writes[shape]?.toFixed(2)} progress writes per durable heartbeat (each two rows)`,
    );
  }
  console.log(
    [
      ...lines,
      `rpc errors: ${errors}${errors ? ` (last: ${lastError})` : ""}; wrong progress rows: ${wrongRows}`,
      `viewers/core: heartbeats/s per core busy ÷ ${VIEWER_READINGS_PER_SECOND} readings/s per viewer (a reading every 10 s)`,
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
