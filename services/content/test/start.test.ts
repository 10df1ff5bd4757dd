import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ContentSchema } from "@marquee/sdk/marquee/content/v1/content_pb";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import test from "ava";
import { CATALOG_VERSION, generateCatalog } from "../src/catalog/generate.js";
import { seededVersion } from "../src/catalog/seed-marker.js";
import { startContentService } from "../src/start.js";
import { EmbeddedContentStore } from "../src/store-embedded.js";

const embedded = (dir: string, seedSize: number) => ({
  MARQUEE_BACKENDS: "embedded",
  MARQUEE_EMBEDDED_DATA_DIR: dir,
  MARQUEE_CONTENT_PORT: "0",
  MARQUEE_CONTENT_SEED_SIZE: String(seedSize),
  MARQUEE_LOG_LEVEL: "silent",
});

test("the first embedded start seeds the catalog and builds search; a restart keeps the data and rebuilds search", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-content-start-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const env = embedded(dir, 300);
  const first = await startContentService(env);
  const client = () => createClient(ContentService, createGrpcTransport({ baseUrl: first.url }));
  const genres = await client().getGenres({});
  const total = genres.genres.reduce((n, g) => n + g.titleCount, 0);
  t.true(total >= 300, `every seeded title counted in its genres (${total})`);
  t.true(genres.genres.filter((g) => g.titleCount > 0).length >= 20, "at least 20 genres in use");
  const hit = await client().searchContent({ query: "amelie", pageSize: 1 });
  t.is(hit.results[0]?.content?.title, "Amélie");
  await first.close();

  const second = await startContentService({ ...env, MARQUEE_CONTENT_SEED_SIZE: "50" });
  t.teardown(() => second.close());
  const again = createClient(ContentService, createGrpcTransport({ baseUrl: second.url }));
  const counted = (await again.getGenres({})).genres.reduce((n, g) => n + g.titleCount, 0);
  t.is(counted, total, "not seeded again");
  t.is(
    (await again.searchContent({ query: "godfater", pageSize: 1 })).results[0]?.content?.title,
    "The Godfather",
  );
});

test("a store seeded by an earlier catalog version is seeded again at start", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-content-reseed-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const env = embedded(dir, 50);
  await (await startContentService(env)).close();
  const contentDir = path.join(dir, "content");
  t.is(await seededVersion(contentDir), CATALOG_VERSION);

  // What a data folder from before catalog versions holds: no marker, and the old generator's rows.
  const godfather = generateCatalog(50).find((c) => c.title === "The Godfather");
  if (godfather === undefined) throw new Error("The Godfather is a fixture title");
  const store = await EmbeddedContentStore.open(path.join(contentDir, "catalog"));
  await store.put(
    create(ContentSchema, {
      ...godfather,
      maturityRating: 1,
      updateTime: timestampFromMs(Date.UTC(2026, 0, 1)),
    }),
  );
  await store.close();
  rmSync(path.join(contentDir, "catalog-version"));

  const reseeded = await startContentService(env);
  const client = createClient(ContentService, createGrpcTransport({ baseUrl: reseeded.url }));
  const details = await client.getContentDetails({ contentId: godfather.contentId });
  t.is(details.content?.maturityRating, godfather.maturityRating, "the current generator's rating");
  const kids = await client.searchContent({ query: "godfather", pageSize: 5, maxMaturityRating: 1 });
  t.deepEqual(
    kids.results.map((r) => r.content?.title),
    [],
    "search rebuilt from the re-seeded rows",
  );
  await reseeded.close();
  t.is(await seededVersion(contentDir), CATALOG_VERSION);
});
