import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import test from "ava";
import { EmbeddedUserStore } from "../src/store-embedded.js";
import { myListStoreContract } from "./my-list-contract.js";
import { type UserStoreFactory, userStoreContract } from "./store-contract.js";

const opened: Array<{ store: EmbeddedUserStore; dir: string }> = [];

test.after.always(async () => {
  for (const { store, dir } of opened) {
    await store.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
});

const open: UserStoreFactory = async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-user-store-"));
  const store = await EmbeddedUserStore.open(dir);
  opened.push({ store, dir });
  return { store, rows: async () => (await store.dump()).map(([k, v]) => `${k}=${v}`) };
};

userStoreContract(test, open);
myListStoreContract(test, open);
