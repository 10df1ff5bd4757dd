/**
 * The same-origin front the gateway will be (issue #7 wiring): RPC paths go to
 * the gateway, /media/ to the streaming service's media origin, everything
 * else to the web player's static handler. Used by the browser tests and the
 * benchmark while the gateway does not serve the app itself; when it does
 * (GET / answers the app), `frontFor` returns the gateway's own URL.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createMediaProxy } from "@marquee/gateway/edge/media-proxy";
import { createStaticHandler } from "@marquee/gateway/edge/static-files";
import { waitFor } from "@marquee/kit/testing";

const ROOT = new URL("../../../", import.meta.url);
const DIST = new URL("web-player/dist/", ROOT);
const STAMP = new URL("web-player/dist/.sources", ROOT);
const LOCK = new URL(".cache/web-player-build.lock", ROOT);

/** What the bundle is made of: the app, its config and public files, the SDK's sources, the locked dependencies. */
const SOURCES = [
  "web-player/index.html",
  "web-player/vite.config.ts",
  "web-player/package.json",
  "web-player/src",
  "web-player/public",
  "gen/client",
  "gen/src",
  "package-lock.json",
];

function filesUnder(rel: string): string[] {
  const abs = fileURLToPath(new URL(rel, ROOT));
  if (!existsSync(abs)) return [];
  if (!statSync(abs).isDirectory()) return [rel];
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(fileURLToPath(ROOT), path.join(e.parentPath, e.name)));
}

function sourcesDigest(): string {
  const hash = createHash("sha256");
  for (const file of SOURCES.flatMap(filesUnder).sort()) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(new URL(file, ROOT)));
  }
  return hash.digest("hex");
}

/** Takes the build lock, or reports who holds it; a lock left by a process that died is taken over. */
function tryLock(): boolean {
  mkdirSync(new URL(".cache/", ROOT), { recursive: true });
  try {
    writeFileSync(LOCK, String(process.pid), { flag: "wx" });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    const holder = Number(readFileSync(LOCK, "utf8").trim());
    if (holder > 0 && isAlive(holder)) return false;
    rmSync(LOCK, { force: true });
    return tryLock();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Makes web-player/dist from the current sources, so tests never run a stale build — and only when
 * they changed: test files run side by side, and a build empties dist/ while another file's browser
 * is loading the app from it. One process builds at a time; the others wait for its result.
 */
export async function buildApp(timeoutMs = 300_000): Promise<void> {
  const digest = sourcesDigest();
  const built = () => existsSync(new URL("index.html", DIST)) && readStamp() === digest;
  await waitFor("the web player build lock", () => built() || tryLock(), timeoutMs);
  if (built()) return;
  try {
    execFileSync(
      process.execPath,
      ["node_modules/vite/bin/vite.js", "build", "web-player", "--logLevel", "warn"],
      { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] },
    );
    writeFileSync(STAMP, digest);
  } finally {
    rmSync(LOCK, { force: true });
  }
}

function readStamp(): string {
  try {
    return readFileSync(STAMP, "utf8");
  } catch {
    return "";
  }
}

const RPC = /^\/[a-z][\w]*\.[\w.]+\//;

/** Forwards requests to `target` as they are (keep-alive), answers as they come. */
export function proxyTo(target: string): http.RequestListener {
  const url = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  return (req, res) => {
    const upstream = http.request(
      { host: url.hostname, port: url.port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(upstream);
  };
}

export interface Front {
  url: string;
  /** True when the gateway serves the app itself and no front was started. */
  gatewayServesApp: boolean;
  close(): Promise<void>;
}

/** The URL to open in the browser: the gateway when it serves the app, else a front started here. */
export async function frontFor(gatewayUrl: string, streamingUrl: string): Promise<Front> {
  const probe = await fetch(`${gatewayUrl}/`).catch(() => undefined);
  const html = probe?.ok ? await probe.text() : "";
  if (/<div id="app">/.test(html)) {
    return { url: gatewayUrl, gatewayServesApp: true, close: async () => {} };
  }
  const api = proxyTo(gatewayUrl);
  const media = createMediaProxy(streamingUrl);
  const files = createStaticHandler();
  const server = http.createServer((req, res) => {
    const path = req.url ?? "/";
    if (path.startsWith("/media/")) media(req, res);
    // The gateway passes generated artwork on to the content service.
    else if (RPC.test(path) || path.startsWith("/artwork/")) api(req, res);
    else files(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    gatewayServesApp: false,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
