import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import test from "ava";
import { startContentService } from "../src/start.js";

test("the first embedded start seeds the catalog and builds search; a restart keeps the data and rebuilds search", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-content-start-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const env = {
    MARQUEE_BACKENDS: "embedded",
    MARQUEE_EMBEDDED_DATA_DIR: dir,
    MARQUEE_CONTENT_PORT: "0",
    MARQUEE_CONTENT_SEED_SIZE: "300",
    MARQUEE_LOG_LEVEL: "silent",
  };
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
