/**
 * Media origin throughput on loopback next to nginx serving the same files,
 * in the same run: closed-loop GETs of 1 MB segments (and 64 KB range
 * requests into them) with keep-alive, each server in its own process with one
 * worker. Ours checks the HMAC signature and that the session is live on every
 * request (a LiveSessions cache hit), and once more without the session check
 * (the baseline for its cost); nginx serves the plain files (sendfile on) — the
 * edge cache in the production shape.
 *
 *   node --conditions=marquee-source --import tsx bench/media-origin-throughput.ts [--seconds 5] [--concurrency 16]
 *
 * Needs nginx (Debian package `nginx`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { closedPort } from "@marquee/gateway/testing/processes";
import { MediaSigner } from "@marquee/streaming/playback/signing";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "5" }, concurrency: { type: "string", default: "16" } },
});
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const SEGMENTS = 20;
const SEGMENT_BYTES = 1 << 20;
const secret = randomBytes(24).toString("base64url");
const work = mkdtempSync(path.join(tmpdir(), "marquee-origin-bench-"));
chmodSync(work, 0o755); // nginx workers run as an unprivileged user
const assetId = randomUUID();
mkdirSync(path.join(work, "media", assetId), { recursive: true });
for (let i = 1; i <= SEGMENTS; i++) {
  writeFileSync(
    path.join(work, "media", assetId, `chunk-720p-${String(i).padStart(5, "0")}.m4s`),
    randomBytes(SEGMENT_BYTES),
  );
}
const children: ChildProcess[] = [];
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

function get(url: string, range?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers: range ? { range } : {} }, (res) => {
        let bytes = 0;
        res.on("data", (c: Buffer) => {
          bytes += c.length;
        });
        res.on("end", () =>
          res.statusCode === 200 || res.statusCode === 206
            ? resolve(bytes)
            : reject(new Error(String(res.statusCode))),
        );
      })
      .on("error", reject);
  });
}

async function load(urlOf: (i: number) => string, range?: () => string) {
  let requests = 0;
  let bytes = 0;
  let errors = 0;
  const lat: number[] = [];
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = w; performance.now() < until; i += concurrency) {
        const t0 = performance.now();
        try {
          const got = await get(urlOf((i % SEGMENTS) + 1), range?.());
          bytes += got;
          requests++;
          lat.push(performance.now() - t0);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  lat.sort((a, b) => a - b);
  return {
    "req/s": Math.round(requests / elapsed),
    "MB/s": Math.round(bytes / elapsed / 1e6),
    "p99 ms": (lat[Math.floor(lat.length * 0.99)] ?? Number.NaN).toFixed(1),
    errors,
  };
}

try {
  // Our origin, one process per variant.
  const startOrigin = async (sessionCheck: boolean) => {
    const child = spawn(
      process.execPath,
      [
        "--conditions=marquee-source",
        "--import=tsx",
        fileURLToPath(new URL("./media-origin-server.ts", import.meta.url)),
      ],
      {
        env: {
          ...process.env,
          BENCH_MEDIA_DIR: path.join(work, "media"),
          BENCH_SECRET: secret,
          BENCH_SESSION_CHECK: sessionCheck ? "1" : "0",
        },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    children.push(child);
    return Number(
      await new Promise<string>((resolve) =>
        createInterface({ input: child.stdout as NodeJS.ReadableStream }).once("line", resolve),
      ),
    );
  };
  const oursPort = await startOrigin(true);
  const uncheckedPort = await startOrigin(false);
  const signer = new MediaSigner(secret);
  const manifest = signer.manifestPath({
    sessionId: randomUUID(),
    assetId,
    expires: Math.floor(Date.now() / 1000) + 3600,
    maxHeight: 0,
  });
  const originUrl = (port: number) => (n: number) =>
    `http://127.0.0.1:${port}${manifest.replace(/manifest\.mpd$/, `chunk-720p-${String(n).padStart(5, "0")}.m4s`)}`;
  const oursUrl = originUrl(oursPort);

  // nginx, one worker, the same files.
  const nginxPort = await closedPort();
  const conf = path.join(work, "nginx.conf");
  writeFileSync(
    conf,
    `daemon off; worker_processes 1; pid ${work}/nginx.pid; error_log ${work}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off; sendfile on; keepalive_requests 100000;
  types { video/mp4 m4s; }
  client_body_temp_path ${work}/body; proxy_temp_path ${work}/proxy; fastcgi_temp_path ${work}/fcgi; uwsgi_temp_path ${work}/uwsgi; scgi_temp_path ${work}/scgi;
  server { listen 127.0.0.1:${nginxPort}; location /media/ { alias ${work}/media/; add_header Cache-Control "public, max-age=31536000, immutable"; } }
}
`,
  );
  const nginx = spawn("nginx", ["-c", conf, "-p", work], { stdio: ["ignore", "ignore", "inherit"] });
  children.push(nginx);
  // Without nginx there is no baseline: stop here, through the finally below, not by crashing past it.
  await new Promise<void>((resolve, reject) => {
    nginx.once("spawn", resolve);
    nginx.once("error", (err) =>
      reject(new Error(`cannot start nginx (${err.message}): install it (apt-get install nginx-light)`)),
    );
  });
  const nginxUrl = (n: number) =>
    `http://127.0.0.1:${nginxPort}/media/${assetId}/chunk-720p-${String(n).padStart(5, "0")}.m4s`;
  for (let i = 0; i < 100; i++) {
    if (
      await get(nginxUrl(1)).then(
        () => true,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 50));
  }

  const range = () => {
    const start = Math.floor(Math.random() * (SEGMENT_BYTES - 65536));
    return `bytes=${start}-${start + 65535}`;
  };
  const rows: Record<string, unknown>[] = [];
  for (const [name, urlOf] of [
    ["marquee origin (signed, live session)", oursUrl],
    ["marquee origin (signed, no session check)", originUrl(uncheckedPort)],
    ["nginx (plain files)", nginxUrl],
  ] as const) {
    await load(urlOf); // warm-up
    rows.push({ server: name, request: "whole 1 MB segment", ...(await load(urlOf)) });
    rows.push({ server: name, request: "64 KB range", ...(await load(urlOf, range)) });
  }
  console.table(rows);
  const ratio = (i: number, j: number) =>
    ((rows[i]?.["req/s"] as number) / (rows[j]?.["req/s"] as number)).toFixed(2);
  console.log(
    `origin/nginx: whole segments ${ratio(0, 4)}, 64 KB ranges ${ratio(1, 5)}; with/without the session check: whole segments ${ratio(0, 2)}, 64 KB ranges ${ratio(1, 3)} — ${seconds}s each, ${concurrency} in flight, loopback`,
  );
} finally {
  for (const c of children) c.kill("SIGTERM");
  agent.destroy();
  await new Promise((r) => setTimeout(r, 200));
  rmSync(work, { recursive: true, force: true });
}
