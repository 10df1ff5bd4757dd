import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { SERVICE_PORTS } from "@marquee/kit";
import { MeshProcess, type ProcessSpec } from "./process.js";

export interface MeshOptions {
  /** Use the loopback cluster (`npm run backends -- up --cluster`) instead of the single-node backends. */
  cluster: boolean;
  /** Added to every port, so a second mesh (a chaos run) can live beside `npm start` or another mesh. */
  portOffset: number;
  /** Media, the shared signing secret and one log file per process. */
  dir: string;
  logLevel: string;
  /** Make the demo titles (ffmpeg) on the first streaming replica. */
  demo: boolean;
  /** More settings for every service (not the gateway). */
  env?: Record<string, string>;
}

export interface Mesh {
  processes: Map<string, MeshProcess>;
  gatewayUrl: string;
  backendsEnv: Record<string, string>;
  close(): Promise<void>;
}

const backendsDataDir = () =>
  process.env.MARQUEE_BACKENDS_DATA_DIR ?? path.join(homedir(), ".local/share/marquee-backends");

/** The settings `up --cluster` wrote for services (KEY=VALUE lines, values maybe double-quoted). */
export function clusterEnv(): Record<string, string> {
  const file = path.join(backendsDataDir(), "cluster", "cluster.env");
  if (!existsSync(file))
    throw new Error(`${file} is missing: run \`npm run backends -- up --cluster\` first`);
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^(MARQUEE_[A-Z0-9_]+)=("?)(.*)\2$/.exec(line.trim());
    if (m) env[m[1] as string] = m[3] as string;
  }
  return env;
}

/** The same secret for every streaming replica (media URLs one signs, the other must accept), kept across runs. */
function signingSecret(dir: string): string {
  const file = path.join(dir, "media-signing-secret");
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
  return readFileSync(file, "utf8").trim();
}

/**
 * Every service in its own process, two streaming replicas whose addresses
 * the gateway is given both of (it spreads calls over them per call and
 * passes over one that is down) and two streaming-consumers processes sharing
 * the history writer's work, all pointed at every backend node.
 */
export async function startMesh(options: MeshOptions): Promise<Mesh> {
  const o = options.portOffset;
  mkdirSync(path.join(options.dir, "logs"), { recursive: true });
  const backendsEnv = options.cluster ? clusterEnv() : { MARQUEE_BACKENDS: "external" };
  const port = (name: keyof typeof SERVICE_PORTS) => SERVICE_PORTS[name] + o;
  const replicaPort = (n: number) => 7113 + 10 * n + o;
  // No service calls the streaming service; only the gateway does, and it is given both replicas.
  const { MARQUEE_STREAMING_URL: _, ...urls } = Object.fromEntries(
    Object.keys(SERVICE_PORTS).map((name) => [
      `MARQUEE_${name.toUpperCase()}_URL`,
      `http://127.0.0.1:${port(name as keyof typeof SERVICE_PORTS)}`,
    ]),
  );
  const common = {
    ...backendsEnv,
    ...urls,
    MARQUEE_LOG_LEVEL: options.logLevel,
    MARQUEE_DRAIN_TIMEOUT_MS: "2000",
    ...options.env,
  };
  const media = {
    MARQUEE_MEDIA_DIR: path.join(options.dir, "media"),
    MARQUEE_INGEST_DIR: path.join(options.dir, "ingest"),
    MARQUEE_MEDIA_SIGNING_SECRET: signingSecret(options.dir),
  };
  const service = (name: keyof typeof SERVICE_PORTS, extra: Record<string, string> = {}): ProcessSpec => ({
    name,
    entry: `services/${name}/src/main.ts`,
    port: port(name),
    env: { ...common, [`MARQUEE_${name.toUpperCase()}_PORT`]: String(port(name)), ...extra },
  });
  const replica = (n: number): ProcessSpec => ({
    ...service("streaming", {
      ...media,
      MARQUEE_STREAMING_PORT: String(replicaPort(n)),
      MARQUEE_STREAMING_CONSUMERS: "0",
      MARQUEE_DEMO_TITLES: options.demo && n === 1 ? "1" : "0",
      MARQUEE_DEMO_LONG_SECONDS: "0",
    }),
    name: `streaming-${n}`,
    port: replicaPort(n),
  });
  const consumers = (n: number): ProcessSpec => ({
    name: `streaming-consumers-${n}`,
    entry: "services/streaming/src/consumers-main.ts",
    port: 7112 + n + o,
    env: { ...common, ...media, MARQUEE_STREAMING_CONSUMERS_PORT: String(7112 + n + o) },
  });
  const gateway: ProcessSpec = {
    name: "gateway",
    entry: "gateway/src/main.ts",
    port: 8080 + o,
    env: {
      ...urls,
      MARQUEE_STREAMING_URL: `http://127.0.0.1:${replicaPort(1)},http://127.0.0.1:${replicaPort(2)}`,
      MARQUEE_LOG_LEVEL: options.logLevel,
      MARQUEE_GATEWAY_PORT: String(8080 + o),
    },
  };
  // Start order as in `npm start`: what others call first, so none waits long. One streaming
  // process migrates its keyspace before the other three start: four at once contend for the
  // migration lock (a lightweight transaction), and on a busy ring the losers' rounds time out.
  const waves: ProcessSpec[][] = [
    [service("content"), service("user"), service("account")],
    [service("feedback"), service("recommendation"), replica(1)],
    [replica(2), consumers(1), consumers(2)],
    [gateway],
  ];
  const processes = new Map<string, MeshProcess>();
  for (const spec of waves.flat()) {
    processes.set(spec.name, new MeshProcess(spec, path.join(options.dir, "logs", `${spec.name}.log`)));
  }
  const close = async () => {
    // The gateway first (no new calls), then the rest at once.
    await processes.get("gateway")?.close();
    await Promise.all([...processes.values()].map((p) => p.close()));
  };
  try {
    for (const wave of waves) {
      await Promise.all(wave.map((spec) => (processes.get(spec.name) as MeshProcess).start()));
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { processes, gatewayUrl: `http://127.0.0.1:${8080 + o}`, backendsEnv, close };
}
