import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { createMediaProxy } from "@marquee/gateway/edge/media-proxy";
import { createLogger } from "@marquee/kit";
import test from "ava";
import type { SessionState } from "../src/playback/live-sessions.js";
import { trimManifest } from "../src/playback/manifest.js";
import { mediaOrigin } from "../src/playback/media-origin.js";
import { MediaSigner } from "../src/playback/signing.js";

const SECRET = "origin-test-secret-0123456789";
const ASSET = randomUUID();
const OTHER_ASSET = randomUUID();
const SESSION = randomUUID();
const OTHER_SESSION = randomUUID();
const MPD = readFileSync(new URL("./fixtures/manifest.mpd", import.meta.url), "utf8");
const SEGMENT = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));

const dir = mkdtempSync(path.join(tmpdir(), "marquee-origin-"));
for (const asset of [ASSET, OTHER_ASSET]) {
  mkdirSync(path.join(dir, asset));
  writeFileSync(path.join(dir, asset, "manifest.mpd"), MPD);
  for (const r of ["240p", "720p", "1080p", "audio"]) {
    writeFileSync(path.join(dir, asset, `init-${r}.m4s`), SEGMENT);
    writeFileSync(path.join(dir, asset, `chunk-${r}-00001.m4s`), SEGMENT);
  }
  writeFileSync(path.join(dir, asset, "poster.jpg"), SEGMENT);
}
writeFileSync(path.join(dir, "secret.txt"), "do not serve");

const signer = new MediaSigner(SECRET);
const clock = Math.floor(Date.now() / 1000);
/** Session states the origin sees (live unless set); an Error makes the state unreadable. */
const states = new Map<string, SessionState | Error>();
const handler = mediaOrigin({
  mediaDir: dir,
  signer,
  sessions: {
    async state(sessionId) {
      const state = states.get(sessionId) ?? "live";
      if (state instanceof Error) throw state;
      return state;
    },
  },
  log: createLogger("test", "silent"),
  nowSeconds: () => clock,
});
const server = http.createServer(handler);
let base = "";
let proxied: http.Server;
let proxyBase = "";

test.before(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  proxied = http.createServer(createMediaProxy(base));
  await new Promise<void>((resolve) => proxied.listen(0, "127.0.0.1", resolve));
  proxyBase = `http://127.0.0.1:${(proxied.address() as { port: number }).port}`;
});
test.after.always(() => {
  server.close();
  proxied?.close();
  rmSync(dir, { recursive: true, force: true });
});

const manifestPath = (over: Partial<Parameters<MediaSigner["manifestPath"]>[0]> = {}) =>
  signer.manifestPath({ sessionId: SESSION, assetId: ASSET, expires: clock + 600, maxHeight: 720, ...over });
const sibling = (manifest: string, file: string) => manifest.replace(/manifest\.mpd$/, file);

/** Raw HTTP GET (no URL normalisation, so traversal attempts reach the server as written). */
function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: url.slice(`${u.protocol}//${u.host}`.length), headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

test("a signed manifest is served trimmed to the session's cap, with a short cache life", async (t) => {
  const res = await get(base + manifestPath());
  t.is(res.status, 200);
  t.is(res.headers["content-type"], "application/dash+xml");
  t.is(res.headers["cache-control"], "private, max-age=10");
  const body = res.body.toString();
  t.true(body.includes('id="720p"'));
  t.false(body.includes('id="1080p"'));
  t.true(body.includes('id="audio"'));
  t.is(body, trimManifest(MPD, 720));
  t.true(body.includes('maxHeight="720"'));
});

test("segments are served with range requests, the right types and immutable caching", async (t) => {
  const m = manifestPath();
  const video = await get(base + sibling(m, "chunk-720p-00001.m4s"));
  t.is(video.status, 200);
  t.is(video.headers["content-type"], "video/mp4");
  t.regex(String(video.headers["cache-control"]), /immutable/);
  t.is(video.headers["accept-ranges"], "bytes");
  t.deepEqual(video.body, SEGMENT);
  const audio = await get(base + sibling(m, "init-audio.m4s"));
  t.is(audio.headers["content-type"], "audio/mp4");
  const range = await get(base + sibling(m, "chunk-240p-00001.m4s"), { range: "bytes=100-199" });
  t.is(range.status, 206);
  t.is(range.headers["content-range"], "bytes 100-199/1000");
  t.deepEqual(range.body, SEGMENT.subarray(100, 200));
  const beyond = await get(base + sibling(m, "chunk-240p-00001.m4s"), { range: "bytes=5000-" });
  t.is(beyond.status, 416);
  const etag = String(video.headers.etag);
  const again = await get(base + sibling(m, "chunk-720p-00001.m4s"), { "if-none-match": etag });
  t.is(again.status, 304);
});

test("expired, forged and foreign URLs are refused with 403", async (t) => {
  const expired = manifestPath({ expires: clock - 1 });
  t.is((await get(base + expired)).status, 403);
  t.is((await get(base + sibling(expired, "chunk-240p-00001.m4s"))).status, 403);

  const good = manifestPath();
  const forged = good.replace(
    /\.([A-Za-z0-9_-])([A-Za-z0-9_-]*)\//,
    (_m, c: string, rest: string) => `.${c === "A" ? "B" : "A"}${rest}/`,
  );
  t.not(forged, good);
  t.is((await get(base + forged)).status, 403);
  // The same token with a longer expiry, a higher cap or another session id.
  t.is((await get(base + good.replace(`.${clock + 600}.`, `.${clock + 99_999}.`))).status, 403);
  t.is((await get(base + good.replace(".720.", ".0."))).status, 403);
  t.is((await get(base + good.replace(SESSION, OTHER_SESSION))).status, 403);
  // Another session's URL does not open another asset.
  t.is((await get(base + good.replace(`/${ASSET}/`, `/${OTHER_ASSET}/`))).status, 403);
  // A segment above the session's cap, even with a valid token.
  t.is((await get(base + sibling(good, "chunk-1080p-00001.m4s"))).status, 403);
  // Time passes: the URL stops working.
  t.true(signer.verify(good, clock + 599).ok);
  t.deepEqual(signer.verify(good, clock + 601), { ok: false, status: 403, reason: "signature expired" });
});

test("no path leaves the asset directory", async (t) => {
  const m = manifestPath();
  for (const evil of [
    "../secret.txt",
    "..%2fsecret.txt",
    "%2e%2e%2fsecret.txt",
    ".signing-secret",
    "..",
    "a/../../secret.txt",
  ]) {
    const res = await get(base + sibling(m, evil));
    t.true(res.status === 404 || res.status === 403, `${evil} → ${res.status}`);
    t.false(res.body.toString().includes("do not serve"));
  }
  t.is((await get(`${base}/media/art/${ASSET}/../secret.txt`)).status, 404);
  t.is((await get(`${base}/media/s/../../secret.txt`)).status, 404);
});

test("artwork is public; other methods are refused", async (t) => {
  const poster = await get(`${base}/media/art/${ASSET}/poster.jpg`);
  t.is(poster.status, 200);
  t.is(poster.headers["content-type"], "image/jpeg");
  const post = await new Promise<number>((resolve) => {
    const req = http.request(`${base}${manifestPath()}`, { method: "POST" }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.end();
  });
  t.is(post, 405);
});

test("the gateway's media proxy passes requests and answers through unchanged", async (t) => {
  const m = manifestPath();
  const range = await get(proxyBase + sibling(m, "chunk-240p-00001.m4s"), { range: "bytes=0-9" });
  t.is(range.status, 206);
  t.deepEqual(range.body, SEGMENT.subarray(0, 10));
  t.is(range.headers["content-type"], "video/mp4");
  t.is((await get(proxyBase + manifestPath({ expires: clock - 5 }))).status, 403);
  t.is((await get(proxyBase + m)).headers["content-type"], "application/dash+xml");
});

test("a session that is not live gets no media: ended and lapsed sessions are refused, an unreadable state fails closed", async (t) => {
  const sessionOf = (state: SessionState | Error) => {
    const sessionId = randomUUID();
    states.set(sessionId, state);
    return manifestPath({ sessionId });
  };
  for (const [state, reason] of [
    ["ended", /session has ended; start a new one/],
    ["lapsed", /session went quiet; send a heartbeat or renew the URL/],
  ] as const) {
    const m = sessionOf(state);
    for (const url of [base + m, base + sibling(m, "chunk-240p-00001.m4s"), proxyBase + m]) {
      const res = await get(url);
      t.is(res.status, 403, `${state}: ${url}`);
      t.regex(res.body.toString(), reason);
      t.is(res.headers["cache-control"], "no-store");
    }
  }
  const broken = sessionOf(new Error("cassandra: all hosts tried"));
  const res = await get(base + sibling(broken, "chunk-240p-00001.m4s"));
  t.is(res.status, 503);
  t.is(res.headers["retry-after"], "1");
  t.false(res.body.toString().includes("cassandra"), "nothing of the cause leaks");
  t.false(res.body.equals(SEGMENT));
});

test("the session is checked only for URLs that are otherwise good", async (t) => {
  const asked: string[] = [];
  const origin = mediaOrigin({
    mediaDir: dir,
    signer,
    sessions: {
      async state(sessionId) {
        asked.push(sessionId);
        return "live";
      },
    },
    log: createLogger("test", "silent"),
    nowSeconds: () => clock,
  });
  const local = http.createServer(origin);
  await new Promise<void>((resolve) => local.listen(0, "127.0.0.1", resolve));
  t.teardown(() => local.close());
  const at = `http://127.0.0.1:${(local.address() as { port: number }).port}`;
  const good = manifestPath();
  t.is((await get(at + manifestPath({ expires: clock - 1 }))).status, 403);
  t.is((await get(at + sibling(good, "chunk-1080p-00001.m4s"))).status, 403);
  t.is((await get(at + sibling(good, "nothing.txt"))).status, 404);
  t.deepEqual(asked, [], "refused on their face, without a lookup");
  t.is((await get(at + sibling(good, "chunk-720p-00001.m4s"))).status, 200);
  t.deepEqual(asked, [SESSION]);
});
