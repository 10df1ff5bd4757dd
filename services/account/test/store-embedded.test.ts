import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import test from "ava";
import type { AccountStore } from "../src/store.js";
import { openEmbeddedAccountStore } from "../src/store-embedded.js";
import { accountStoreContract } from "./store-contract.js";

const dirs: string[] = [];
const stores: AccountStore[] = [];
test.after.always(async () => {
  for (const s of stores) await s.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

accountStoreContract(test, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-account-"));
  dirs.push(dir);
  const store = await openEmbeddedAccountStore(dir);
  stores.push(store);
  // One process owns the directory: a "second process" is this same store.
  return { store, sibling: async () => store };
});
