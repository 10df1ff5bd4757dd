import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import test from "ava";
import { EmbeddedContentStore } from "../src/store-embedded.js";
import { EmbeddedTrendingStore } from "../src/trending-store-embedded.js";
import { contentStoreContract, trendingStoreContract } from "./store-contract.js";

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-content-"));
  dirs.push(dir);
  return dir;
};
test.after.always(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

contentStoreContract(test, () => EmbeddedContentStore.open(freshDir()));
trendingStoreContract(test, () => EmbeddedTrendingStore.open(freshDir()));

test("embedded store: titles survive a reopen", async (t) => {
  const dir = freshDir();
  const store = await EmbeddedContentStore.open(dir);
  const { movie } = await import("./helpers.js");
  const m = movie({ title: "Persisted" });
  await store.put(m);
  await store.close();
  const again = await EmbeddedContentStore.open(dir);
  t.teardown(() => again.close());
  t.is((await again.get(m.contentId))?.title, "Persisted");
  t.is((await again.browseRows("_all", "title", undefined, 10)).length, 1);
});
