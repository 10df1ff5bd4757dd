import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createLogger } from "@marquee/kit";
import test from "ava";
import { artworkFiles, artworkPath, withGeneratedArtwork } from "../src/artwork/artwork-files.js";
import { artworkOrigin } from "../src/artwork/artwork-origin.js";
import { designFor } from "../src/artwork/design.js";
import { warmArtwork } from "../src/artwork/warm.js";
import { EmbeddedContentStore } from "../src/store-embedded.js";
import { movie } from "./helpers.js";

const log = createLogger("test", "silent");
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

async function origin(t: import("ava").ExecutionContext) {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-artwork-"));
  const store = await EmbeddedContentStore.open(path.join(dir, "store"));
  const files = artworkFiles(path.join(dir, "artwork"));
  const handler = artworkOrigin({ files, store, log });
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(async () => {
    await new Promise((resolve) => server.close(resolve));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { store, files, base, dir };
}

test("a title's design is the same every time and follows its genre", (t) => {
  const horror = movie({ title: "Night Terrors", genreIds: ["horror"], releaseDate: "2019-10-31" });
  const kids = movie({ title: "Bubble Town", genreIds: ["kids"] });
  t.deepEqual(designFor(horror), designFor(horror));
  t.is(designFor(horror).motif, "moon");
  t.is(designFor(horror).kicker, "Horror · 2019");
  t.true(designFor(kids).light > designFor(horror).light);
});

test("seeded titles point at this origin's pictures; artwork a title has is kept", (t) => {
  const plain = withGeneratedArtwork(movie());
  t.is(plain.artwork?.posterUrl, artworkPath(plain.contentId, "poster"));
  t.is(plain.artwork?.backdropUrl, artworkPath(plain.contentId, "backdrop"));
  const own = movie({ artwork: { posterUrl: "https://cdn.example/p.jpg" } });
  t.is(withGeneratedArtwork(own).artwork?.posterUrl, "https://cdn.example/p.jpg");
});

test("the origin draws a missing picture once, then serves the file with a year of caching and a validator", async (t) => {
  const { store, base, dir } = await origin(t);
  const title = withGeneratedArtwork(movie({ title: "The Long Goodbye", genreIds: ["drama"] }));
  await store.put(title);
  const url = `${base}${title.artwork?.posterUrl}`;

  const first = await fetch(url);
  t.is(first.status, 200);
  t.is(first.headers.get("content-type"), "image/jpeg");
  t.regex(first.headers.get("cache-control") ?? "", /max-age=31536000.*immutable/);
  const body = new Uint8Array(await first.arrayBuffer());
  t.deepEqual([...body.subarray(0, 3)], JPEG_MAGIC);
  t.true(body.length > 2_000, `a real picture, not a stub (${body.length} bytes)`);
  t.true(existsSync(path.join(dir, "artwork", "v1", title.contentId, "poster.jpg")));

  const etag = first.headers.get("etag");
  t.truthy(etag);
  const again = await fetch(url, { headers: { "if-none-match": etag ?? "" } });
  t.is(again.status, 304);

  const backdrop = await fetch(`${base}${title.artwork?.backdropUrl}`);
  t.is(backdrop.status, 200);
  t.true((await backdrop.arrayBuffer()).byteLength > body.length, "the 16:9 backdrop is the larger picture");
});

test("the origin answers 404 for unknown titles and paths, 405 for writes, and draws nothing for them", async (t) => {
  const { base, dir } = await origin(t);
  const unknown = movie();
  t.is((await fetch(`${base}${artworkPath(unknown.contentId, "poster")}`)).status, 404);
  t.is((await fetch(`${base}/artwork/v1/../../etc/passwd`)).status, 404);
  t.is((await fetch(`${base}/artwork/v1/${unknown.contentId}/logo.png`)).status, 404);
  t.is((await fetch(`${base}/artwork/v0/${unknown.contentId}/poster.jpg`)).status, 404);
  t.is((await fetch(`${base}${artworkPath(unknown.contentId, "poster")}`, { method: "POST" })).status, 405);
  t.false(existsSync(path.join(dir, "artwork", "v1", unknown.contentId)));
});

test("the warmer draws every picture the catalog points at here, and none for titles with their own artwork", async (t) => {
  const { store, files, dir } = await origin(t);
  const ours = [movie({ title: "One" }), movie({ title: "Two", genreIds: ["western"] })].map(
    withGeneratedArtwork,
  );
  const theirs = movie({ artwork: { posterUrl: "https://cdn.example/p.jpg" } });
  for (const title of [...ours, theirs]) await store.put(title);

  t.is(await warmArtwork(store, files, log).done, 2);
  for (const title of ours)
    for (const kind of ["poster", "backdrop"])
      t.true(existsSync(path.join(dir, "artwork", "v1", title.contentId, `${kind}.jpg`)));
  t.false(existsSync(path.join(dir, "artwork", "v1", theirs.contentId)));
});
