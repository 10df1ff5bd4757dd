import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import test from "ava";
import { createStaticHandler } from "../src/edge/static-files.js";

function makeDist(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-dist-"));
  mkdirSync(path.join(dir, "assets"));
  writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>Marquee</title>v1");
  writeFileSync(path.join(dir, "assets", "index-AbC123.js"), "console.log(1)");
  writeFileSync(path.join(dir, "assets", "index-AbC123.css"), "body{}");
  writeFileSync(path.join(dir, "favicon.svg"), "<svg/>");
  return dir;
}

async function serve(root: string) {
  const server = http.createServer(createStaticHandler({ root }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test("content types and cache headers: hashed assets immutable, index.html no-cache", async (t) => {
  const dist = makeDist();
  const s = await serve(dist);
  t.teardown(async () => {
    await s.close();
    rmSync(dist, { recursive: true });
  });
  const js = await fetch(`${s.base}/assets/index-AbC123.js`);
  t.is(js.status, 200);
  t.regex(js.headers.get("content-type") ?? "", /javascript/);
  t.is(js.headers.get("cache-control"), "public, max-age=31536000, immutable");
  const css = await fetch(`${s.base}/assets/index-AbC123.css`);
  t.regex(css.headers.get("content-type") ?? "", /text\/css/);
  const svg = await fetch(`${s.base}/favicon.svg`);
  t.regex(svg.headers.get("content-type") ?? "", /image\/svg\+xml/);
  t.is(svg.headers.get("cache-control"), "no-cache");
  const index = await fetch(`${s.base}/`);
  t.regex(index.headers.get("content-type") ?? "", /text\/html/);
  t.is(index.headers.get("cache-control"), "no-cache");
  t.regex(index.headers.get("content-security-policy") ?? "", /default-src 'self'/);
  const etag = index.headers.get("etag");
  t.truthy(etag);
  const again = await fetch(`${s.base}/`, { headers: { "if-none-match": etag ?? "" } });
  t.is(again.status, 304);
});

test("SPA fallback for app paths, 404 for missing files, RPC paths, media and non-GET", async (t) => {
  const dist = makeDist();
  const s = await serve(dist);
  t.teardown(async () => {
    await s.close();
    rmSync(dist, { recursive: true });
  });
  for (const p of ["/title/0b7d7a8e-1111-4222-8333-944445555666", "/watch/x?t=3", "/profiles"]) {
    const res = await fetch(`${s.base}${p}`);
    t.is(res.status, 200, p);
    t.regex(await res.text(), /Marquee/);
    t.is(res.headers.get("cache-control"), "no-cache");
  }
  for (const p of [
    "/assets/missing-XYZ.js",
    "/marquee.user.v1.UserService/Nope",
    "/media/a/manifest.mpd",
    "/metrics",
  ]) {
    t.is((await fetch(`${s.base}${p}`)).status, 404, p);
  }
  t.is((await fetch(`${s.base}/`, { method: "POST", body: "{}" })).status, 404);
});

test("a rebuild is picked up without a restart; no build gives 503 with a hint", async (t) => {
  const dist = makeDist();
  const s = await serve(dist);
  t.teardown(async () => {
    await s.close();
    rmSync(dist, { recursive: true, force: true });
  });
  t.is((await fetch(`${s.base}/assets/index-New999.js`)).status, 404);
  writeFileSync(path.join(dist, "assets", "index-New999.js"), "console.log(2)");
  writeFileSync(path.join(dist, "index.html"), "<!doctype html><title>Marquee</title>v2");
  const later = new Date(Date.now() + 5000);
  utimesSync(path.join(dist, "index.html"), later, later);
  t.is((await fetch(`${s.base}/assets/index-New999.js`)).status, 200);
  t.regex(await (await fetch(`${s.base}/`)).text(), /v2/);
  rmSync(dist, { recursive: true });
  const res = await fetch(`${s.base}/`);
  t.is(res.status, 503);
  t.regex(await res.text(), /npm run build/);
});

test("works for HTTP/2 compatibility requests", async (t) => {
  const dist = makeDist();
  const server = http2.createServer(createStaticHandler({ root: dist }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const client = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  t.teardown(async () => {
    client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dist, { recursive: true });
  });
  const { status, type, body } = await new Promise<{ status: number; type: string; body: string }>(
    (resolve, reject) => {
      const req = client.request({ ":path": "/title/abc" });
      let status = 0;
      let type = "";
      let body = "";
      req.on("response", (h) => {
        status = Number(h[":status"]);
        type = String(h["content-type"]);
      });
      req.setEncoding("utf8");
      req.on("data", (c: string) => {
        body += c;
      });
      req.on("end", () => resolve({ status, type, body }));
      req.on("error", reject);
      req.end();
    },
  );
  t.is(status, 200);
  t.regex(type, /text\/html/);
  t.regex(body, /Marquee/);
});

/** A raw GET (no decompression): status, headers and the bytes as sent. */
function rawGet(url: string, acceptEncoding: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>(
    (resolve, reject) => {
      http
        .get(url, { headers: { "accept-encoding": acceptEncoding } }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        })
        .on("error", reject);
    },
  );
}

test("precompressed assets: brotli or gzip as the browser accepts, the plain file otherwise", async (t) => {
  const dist = makeDist();
  writeFileSync(path.join(dist, "assets", "index-AbC123.js.br"), "brotli bytes");
  writeFileSync(path.join(dist, "assets", "index-AbC123.js.gz"), "gzip bytes");
  const s = await serve(dist);
  t.teardown(async () => {
    await s.close();
    rmSync(dist, { recursive: true });
  });
  const url = `${s.base}/assets/index-AbC123.js`;
  const br = await rawGet(url, "gzip, deflate, br");
  t.is(br.headers["content-encoding"], "br");
  t.is(br.body.toString(), "brotli bytes");
  t.regex(String(br.headers["content-type"]), /javascript/);
  t.regex(String(br.headers.vary), /accept-encoding/i);
  t.is(br.headers["cache-control"], "public, max-age=31536000, immutable");
  const gz = await rawGet(url, "gzip");
  t.is(gz.headers["content-encoding"], "gzip");
  t.is(gz.body.toString(), "gzip bytes");
  const plain = await rawGet(url, "identity");
  t.is(plain.headers["content-encoding"], undefined);
  t.is(plain.body.toString(), "console.log(1)");
});
