import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import test from "ava";
import { EmbeddedStreamingStore } from "../src/store-embedded.js";
import { historyStoreContract } from "./history-store-contract.js";
import { jobStoreContract } from "./job-store-contract.js";
import { sessionStoreContract } from "./session-store-contract.js";

const dirs: string[] = [];
test.after.always(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function open() {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-streaming-"));
  dirs.push(dir);
  return EmbeddedStreamingStore.open(dir);
}
historyStoreContract(test, open);
sessionStoreContract(test, open);
jobStoreContract(test, open);
