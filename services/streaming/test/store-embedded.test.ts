import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import test from "ava";
import { EmbeddedStreamingStore } from "../src/store-embedded.js";
import { streamingStoreContract } from "./store-contract.js";

const dirs: string[] = [];
test.after.always(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

streamingStoreContract(test, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-streaming-"));
  dirs.push(dir);
  return EmbeddedStreamingStore.open(dir);
});
