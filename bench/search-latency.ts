/**
 * SearchContent latency and throughput on the seeded catalog (2,400 titles),
 * measured in one run on three paths:
 *   1. through the gateway to the content service on OpenSearch (MARQUEE_BACKENDS=external),
 *   2. through the gateway to the content service on embedded search (MiniSearch),
 *   3. the same query sent straight to OpenSearch (the baseline).
 * Every server runs as its own process, as in mesh mode. Prints p50/p99 and
 * calls/s per path, and path 1 against path 3: what the service and gateway add.
 *
 *   node --conditions=marquee-source --import tsx bench/search-latency.ts [--seconds 8] [--concurrency 16]
 *
 * Seeds the external backends first when they hold no catalog. Loopback only; bounded by --seconds.
 * MARQUEE_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the servers (node refuses it in NODE_OPTIONS).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import {
  loadContentConfig,
  openContentBackends,
  rebuildSearchIndex,
  searchBody,
  seedCatalog,
} from "@marquee/content/admin";
import { closedPort } from "@marquee/gateway/testing/processes";
import { CALLER_HEADER, createLogger, encodeCaller, loadBackendsConfig } from "@marquee/kit";
import { createSearchClient } from "@marquee/kit/opensearch";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { cpuShare, pidOf, type Watched } from "./lib/cpu.js";
import { measure, type Result } from "./lib/measure.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "8" },
    concurrency: { type: "string", default: "16" },
  },
});
const seconds = Math.min(60, Number(values.seconds));
const concurrency = Math.min(256, Number(values.concurrency));
const root = new URL("../", import.meta.url);

/** What members type: words, typos, prefixes, names, accents. */
const QUERIES = [
  "godfater",
  "star w",
  "tom hanks",
  "amelie",
  "breakin",
  "matrx",
  "leonardo dicaprio",
  "harbor",
  "les miserables",
  "shawsh",
  "the silent",
  "lisbon",
  "detective",
  "frozen",
  "kyoto garden",
  "clint eastwood",
];

/** Extra node flags for the servers, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to see where their time goes. */
const NODE_ARGS = (process.env.MARQUEE_BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);
const children: ChildProcess[] = [];
const API_KEY = randomBytes(24).toString("base64url");

/** Starts a process and waits until it logs that it is serving. */
async function startProcess(entry: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [...NODE_ARGS, "--conditions=marquee-source", "--import=tsx", fileURLToPath(new URL(entry, root))],
    {
      env: { ...process.env, MARQUEE_LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  children.push(child);
  const exited = once(child, "exit").then(([code]) => {
    throw new Error(`${entry} exited with ${code} before serving`);
  });
  const serving = (async () => {
    for await (const chunk of child.stdout as NodeJS.ReadableStream) {
      if (String(chunk).includes('"msg":"serving"')) return;
    }
  })();
  await Promise.race([serving, exited]);
  child.stdout?.resume();
  return child;
}

interface Upstream {
  gateway: string;
  content: string;
  pids: { gateway: number | undefined; content: number | undefined };
}

/** A content service and a gateway in front of it; returns both URLs and their processes. */
async function serviceBehindGateway(env: Record<string, string>): Promise<Upstream> {
  const contentPort = await closedPort();
  const content = await startProcess("services/content/src/main.ts", {
    ...env,
    MARQUEE_CONTENT_PORT: String(contentPort),
  });
  const gatewayPort = await closedPort();
  const gateway = await startProcess("gateway/src/main.ts", {
    MARQUEE_GATEWAY_PORT: String(gatewayPort),
    // The bench calls as a partner holding a key made for this run (the gateway knows only its hash).
    MARQUEE_PARTNER_API_KEYS: `bench:${createHash("sha256").update(API_KEY).digest("hex")}:`,
    MARQUEE_CONTENT_URL: `http://127.0.0.1:${contentPort}`,
  });
  return {
    gateway: `http://127.0.0.1:${gatewayPort}`,
    content: `http://127.0.0.1:${contentPort}`,
    pids: { gateway: gateway.pid, content: content.pid },
  };
}

async function ensureExternalCatalog(): Promise<void> {
  const env = { ...process.env, MARQUEE_BACKENDS: "external" };
  const log = createLogger("bench", "warn");
  const config = loadContentConfig(env);
  const b = await openContentBackends(loadBackendsConfig(env), config, log);
  try {
    if (await b.store.isEmpty()) {
      console.log("seeding the external backends (npm run seed)…");
      await seedCatalog(b.store, { bus: b.bus, log });
    }
    if ((await b.search.count()) === 0) await rebuildSearchIndex(b.store, b.search, log);
  } finally {
    await b.close();
  }
}

const dataDir = mkdtempSync(path.join(tmpdir(), "marquee-bench-search-"));
try {
  await ensureExternalCatalog();
  const external = await serviceBehindGateway({ MARQUEE_BACKENDS: "external" });
  // First embedded start: seeds the same 2,400-title catalog into a scratch directory.
  const embedded = await serviceBehindGateway({
    MARQUEE_BACKENDS: "embedded",
    MARQUEE_EMBEDDED_DATA_DIR: dataDir,
  });

  // The caller the gateway states for a partner key, sent straight to the content service.
  const partner = encodeCaller({ kind: "partner", partnerId: "bench", scopes: [] });
  const viaGateway = (baseUrl: string, headers: Record<string, string> = { "x-api-key": API_KEY }) => {
    // Uncompressed answers, like the baseline's: OpenSearch's JSON comes back as it is.
    const client = createClient(ContentService, createGrpcTransport({ baseUrl, acceptCompression: [] }));
    let n = 0;
    return () =>
      client.searchContent({ query: QUERIES[n++ % QUERIES.length] as string, pageSize: 20 }, { headers });
  };
  const os = createSearchClient(
    loadBackendsConfig({ ...process.env, MARQUEE_BACKENDS: "external" }).opensearch,
  );
  const alias = loadContentConfig().searchAlias;
  let m = 0;
  const direct = () =>
    os.search({
      index: alias,
      body: searchBody({
        text: QUERIES[m++ % QUERIES.length] as string,
        genreIds: [],
        yearFrom: 0,
        yearTo: 0,
        maxMaturity: Number.POSITIVE_INFINITY,
        offset: 0,
        limit: 20,
      }) as never,
    });

  const opensearch = pidOf("org.opensearch.bootstrap.OpenSearch");
  const bench = process.pid;
  // The processes each path runs through, whose CPU per call is printed beside its latency.
  const paths: Array<[string, () => Promise<unknown>, Watched]> = [
    ["gateway → content → OpenSearch", viaGateway(external.gateway), { ...external.pids, opensearch, bench }],
    [
      "content → OpenSearch (no gateway)",
      viaGateway(external.content, { [CALLER_HEADER]: partner }),
      { content: external.pids.content, opensearch, bench },
    ],
    ["gateway → content → embedded (MiniSearch)", viaGateway(embedded.gateway), { ...embedded.pids, bench }],
    ["direct OpenSearch query (baseline)", direct, { opensearch, bench }],
  ];
  const results: Array<[string, Result]> = [];
  const cpuPerCall: Record<string, Record<string, string>> = {};
  for (const [name, bare, watched] of paths) {
    let firstError: unknown;
    const call = () =>
      bare().catch((err: unknown) => {
        firstError ??= err;
        throw err;
      });
    await measure(call, { seconds: Math.min(2, seconds), concurrency }); // warm-up: JIT, connections, caches
    const cores = cpuShare(watched);
    const result = await measure(call, { seconds, concurrency });
    const used = cores();
    results.push([name, result]);
    cpuPerCall[name] = Object.fromEntries(
      Object.entries(used).map(([k, c]) => [
        k,
        c === "-" ? c : ((Number(c) / result.perSecond) * 1000).toFixed(2),
      ]),
    );
    if (firstError !== undefined) console.log(`${name}: first error: ${String(firstError)}`);
  }
  console.table(
    results.map(([name, r]) => ({
      path: name,
      "calls/s": Math.round(r.perSecond),
      "p50 ms": r.p50.toFixed(2),
      "p99 ms": r.p99.toFixed(2),
      calls: r.calls,
      errors: r.errors,
    })),
  );
  console.log("CPU ms per call, by process (the bench process is the client):");
  console.table(cpuPerCall);
  const [viaOs, , , base] = results.map(([, r]) => r) as [Result, Result, Result, Result];
  console.log(
    `overhead of service + gateway over direct OpenSearch: p50 ×${(viaOs.p50 / base.p50).toFixed(2)} ` +
      `(+${(viaOs.p50 - base.p50).toFixed(2)} ms), p99 ×${(viaOs.p99 / base.p99).toFixed(2)}, ` +
      `throughput ${(viaOs.perSecond / base.perSecond).toFixed(2)} of direct — ${seconds}s per path, ${concurrency} in flight, ${QUERIES.length} queries cycled`,
  );
  // Everything shares this machine's cores: a busy machine inflates every path.
  console.log(
    `load average during the run: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
} finally {
  for (const child of children.reverse()) {
    child.kill("SIGTERM");
    if (child.exitCode === null) await once(child, "exit");
  }
  rmSync(dataDir, { recursive: true, force: true });
}
