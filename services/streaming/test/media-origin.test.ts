import { randomUUID } from "node:crypto";
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { createMediaProxy } from "@marquee/gateway/edge/media-proxy";
import { createLogger } from "@marquee/kit";
import { waitFor } from "@marquee/kit/testing";
import test, { type ExecutionContext } from "ava";
import etag from "etag";
import type { SessionState } from "../src/playback/live-sessions.js";
import { trimManifest } from "../src/playback/manifest.js";
import { mediaOrigin } from "../src/playback/media-origin.js";
import { MediaSigner } from "../src/playback/signing.js";
import { heldOn } from "./descriptors.js";

const SECRET = "origin-test-secret-0123456789";
const ASSET = randomUUID();
const OTHER_ASSET = randomUUID();
const SESSION = randomUUID();
const OTHER_SESSION = randomUUID();
const MPD = readFileSync(new URL("./fixtures/manifest.mpd", import.meta.url), "utf8");
const SEGMENT = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));
const THUMBNAILS = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nsprite-001.jpg#xywh=0,0,192,108\n";
/** Larger than one read of the origin's, so it is streamed. */
const LONG_SEGMENT = Buffer.from(Array.from({ length: 700_000 }, (_, i) => (i * 7) % 251));

const dir = mkdtempSync(path.join(tmpdir(), "marquee-origin-"));
for (const asset of [ASSET, OTHER_ASSET]) {
  mkdirSync(path.join(dir, asset));
  writeFileSync(path.join(dir, asset, "manifest.mpd"), MPD);
  for (const r of ["240p", "720p", "1080p", "audio"]) {
    writeFileSync(path.join(dir, asset, `init-${r}.m4s`), SEGMENT);
    writeFileSync(path.join(dir, asset, `chunk-${r}-00001.m4s`), SEGMENT);
  }
  writeFileSync(path.join(dir, asset, "poster.jpg"), SEGMENT);
  writeFileSync(path.join(dir, asset, "thumbnails.vtt"), THUMBNAILS);
  writeFileSync(path.join(dir, asset, "sprite-001.jpg"), SEGMENT);
  writeFileSync(path.join(dir, asset, "chunk-720p-00002.m4s"), LONG_SEGMENT);
  mkdirSync(path.join(dir, asset, "chunk-720p-00003.m4s"));
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
  t.is(beyond.headers["content-range"], "bytes */1000");
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

test("the seek bar's sprites and their track are served only as segments are: signed, to a live session, of its asset", async (t) => {
  const m = manifestPath();
  const track = await get(base + sibling(m, "thumbnails.vtt"));
  t.is(track.status, 200);
  t.is(track.headers["content-type"], "text/vtt; charset=utf-8");
  t.is(track.body.toString(), THUMBNAILS);
  const sprite = await get(base + sibling(m, "sprite-001.jpg"));
  t.is(sprite.status, 200);
  t.is(sprite.headers["content-type"], "image/jpeg");
  t.deepEqual(sprite.body, SEGMENT);
  // Not on the public artwork path, not unsigned, not expired, not for another asset, not once the session ended.
  t.is((await get(`${base}/media/art/${ASSET}/sprite-001.jpg`)).status, 404);
  t.is((await get(`${base}/media/art/${ASSET}/thumbnails.vtt`)).status, 404);
  t.is((await get(base + sibling(manifestPath({ expires: clock - 1 }), "sprite-001.jpg"))).status, 403);
  t.is(
    (await get(base + sibling(m, "sprite-001.jpg").replace(`/${ASSET}/`, `/${OTHER_ASSET}/`))).status,
    403,
  );
  const ended = randomUUID();
  states.set(ended, "ended");
  t.is((await get(base + sibling(manifestPath({ sessionId: ended }), "thumbnails.vtt"))).status, 403);
  t.is((await get(base + sibling(m, "sprite-1.jpg"))).status, 404);
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

test("ranges at a segment's end, HEAD with a range, several or unparsable ranges, and the validators send wrote", async (t) => {
  const url = base + sibling(manifestPath(), "chunk-720p-00001.m4s");
  const stats = statSync(path.join(dir, ASSET, "chunk-720p-00001.m4s"));
  const whole = await get(url);
  t.is(whole.headers.etag, etag(stats));
  t.regex(String(whole.headers.etag), /^W\/"3e8-[0-9a-f]+"$/);
  t.is(whole.headers["last-modified"], stats.mtime.toUTCString());
  for (const [range, first, last] of [
    ["bytes=-100", 900, 999],
    ["bytes=990-5000", 990, 999],
    ["bytes=999-", 999, 999],
  ] as const) {
    const res = await get(url, { range });
    t.is(res.status, 206, range);
    t.is(res.headers["content-range"], `bytes ${first}-${last}/1000`, range);
    t.deepEqual(res.body, SEGMENT.subarray(first, last + 1), range);
  }
  const head = await new Promise<http.IncomingMessage>((resolve, reject) => {
    http
      .request(url, { method: "HEAD", headers: { range: "bytes=100-199" } }, resolve)
      .on("error", reject)
      .end();
  });
  head.resume();
  t.is(head.statusCode, 206);
  t.is(head.headers["content-range"], "bytes 100-199/1000");
  t.is(head.headers["content-length"], "100");
  t.is(head.headers["content-type"], "video/mp4");
  for (const range of ["bytes=0-1,5-6", "bytes=abc", "items=0-1"]) {
    const res = await get(url, { range });
    t.is(res.status, 200, range);
    t.deepEqual(res.body, SEGMENT, range);
  }
  t.is((await get(url, { "if-modified-since": stats.mtime.toUTCString() })).status, 304);
  t.is((await get(url, { range: "bytes=0-9", "if-range": String(whole.headers.etag) })).status, 206);
  t.is((await get(url, { range: "bytes=0-9", "if-range": '"another"' })).status, 200);
  const failed = await get(url, { "if-match": '"another"' });
  t.is(failed.status, 412);
  t.is(failed.headers["cache-control"], "no-store");
});

test("a segment larger than one read is streamed whole and in ranges, byte for byte", async (t) => {
  const url = base + sibling(manifestPath(), "chunk-720p-00002.m4s");
  const [whole, range, tail] = await Promise.all([
    get(url),
    get(url, { range: "bytes=1000-599999" }),
    get(url, { range: "bytes=-300000" }),
  ]);
  t.is(whole.status, 200);
  t.is(whole.headers["content-length"], "700000");
  t.true(whole.body.equals(LONG_SEGMENT));
  t.is(range.status, 206);
  t.is(range.headers["content-range"], "bytes 1000-599999/700000");
  t.true(range.body.equals(LONG_SEGMENT.subarray(1000, 600_000)));
  t.is(tail.headers["content-range"], "bytes 400000-699999/700000");
  t.true(tail.body.equals(LONG_SEGMENT.subarray(400_000)));
});

test("a folder by a media file's name is no media file", async (t) => {
  const res = await get(base + sibling(manifestPath(), "chunk-720p-00003.m4s"));
  t.is(res.status, 404);
  t.is(res.headers["cache-control"], "no-store");
});

/**
 * An origin of its own on a fresh asset holding `files`, for tests that change files on disk or
 * tune the open files: the asset's folder, and the signed URL of each of its files.
 */
async function ownOrigin(
  t: ExecutionContext,
  files: Record<string, Buffer>,
  tuning: Pick<Parameters<typeof mediaOrigin>[0], "fileCheckMs" | "maxOpenFiles">,
) {
  const asset = randomUUID();
  const assetDir = path.join(dir, asset);
  mkdirSync(assetDir);
  for (const [file, bytes] of Object.entries(files)) writeFileSync(path.join(assetDir, file), bytes);
  const local = http.createServer(
    mediaOrigin({
      mediaDir: dir,
      signer,
      sessions: { state: async () => "live" },
      log: createLogger("test", "silent"),
      nowSeconds: () => clock,
      ...tuning,
    }),
  );
  await new Promise<void>((resolve) => local.listen(0, "127.0.0.1", resolve));
  t.teardown(() => local.close());
  const m = manifestPath({ assetId: asset });
  const url = (file: string) =>
    `http://127.0.0.1:${(local.address() as { port: number }).port}${sibling(m, file)}`;
  return { assetDir, url };
}

test("a segment replaced on disk is served anew, and one removed is refused, within the file check interval", async (t) => {
  const { assetDir, url } = await ownOrigin(
    t,
    { "chunk-720p-00001.m4s": SEGMENT, "init-720p.m4s": SEGMENT },
    { fileCheckMs: 50 },
  );
  const first = await get(url("chunk-720p-00001.m4s"), { range: "bytes=0-9" });
  t.deepEqual(first.body, SEGMENT.subarray(0, 10));

  // As a re-ingest does: new bytes written aside and renamed over the old.
  const replaced = Buffer.from("re-ingested bytes");
  writeFileSync(path.join(assetDir, "chunk-720p-00001.m4s.new"), replaced);
  renameSync(path.join(assetDir, "chunk-720p-00001.m4s.new"), path.join(assetDir, "chunk-720p-00001.m4s"));
  const fresh = await waitFor(
    "the replaced segment to be served",
    async () => {
      const res = await get(url("chunk-720p-00001.m4s"), { range: "bytes=0-10" });
      return res.body.equals(replaced.subarray(0, 11)) ? res : undefined;
    },
    5_000,
  );
  t.is(fresh.headers["content-range"], `bytes 0-10/${replaced.length}`);
  t.not(fresh.headers.etag, first.headers.etag);

  t.is((await get(url("init-720p.m4s"))).status, 200);
  unlinkSync(path.join(assetDir, "init-720p.m4s"));
  await waitFor(
    "the removed segment to be refused",
    async () => (await get(url("init-720p.m4s"))).status === 404,
    5_000,
  );
});

test("a client that goes away mid-body lets go of the file, and what is served after is intact", async (t) => {
  const { assetDir, url } = await ownOrigin(
    t,
    { "chunk-720p-00002.m4s": LONG_SEGMENT, "chunk-720p-00001.m4s": SEGMENT },
    { maxOpenFiles: 1 },
  );
  const long = path.join(assetDir, "chunk-720p-00002.m4s");

  await new Promise<void>((resolve, reject) => {
    const req = http.get(url("chunk-720p-00002.m4s"), { agent: false }, (res) => {
      res.once("data", () => {
        req.destroy();
        resolve();
      });
    });
    req.on("error", (err) => (req.destroyed ? undefined : reject(err)));
  });
  // The abandoned stream leaves the file's descriptor to the requests after it.
  for (let i = 0; i < 20; i++) {
    const again = await get(url("chunk-720p-00002.m4s"), { range: "bytes=500000-699999" });
    t.is(again.status, 206);
    t.true(again.body.equals(LONG_SEGMENT.subarray(500_000)), `request ${i} after the abandoned one`);
  }
  t.is(heldOn(long).length, 1);
  // Another file takes the one place, so the long one closes once nothing reads it.
  t.deepEqual((await get(url("chunk-720p-00001.m4s"))).body, SEGMENT);
  await waitFor("the evicted file to close", () => heldOn(long).length === 0, 5_000);
});
