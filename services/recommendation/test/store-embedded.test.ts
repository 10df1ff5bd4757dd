import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import test from "ava";
import { openEmbeddedStore } from "../src/store-embedded.js";
import { tasteStoreContract } from "./store-contract.js";

const dirs: string[] = [];
test.after.always(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

tasteStoreContract(test, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-reco-"));
  dirs.push(dir);
  return openEmbeddedStore(dir);
});

test("data survives a reopen", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-reco-"));
  dirs.push(dir);
  const first = await openEmbeddedStore(dir);
  await first.recordRating({ profileId: "p", contentId: "c", value: 3, time: 1 });
  await first.close();
  const again = await openEmbeddedStore(dir);
  t.teardown(() => again.close());
  t.like(await again.getInteraction("p", "c"), { rating: 3 });
});
