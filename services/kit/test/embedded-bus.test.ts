import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createLogger } from "@marquee/kit";
import { EmbeddedBus } from "@marquee/kit/embedded";
import test from "ava";
import { eventBusContract } from "./bus-contract.js";

const log = createLogger("test", "silent");
const dirs: string[] = [];
test.after.always(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

eventBusContract(test, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-bus-"));
  dirs.push(dir);
  return { bus: await EmbeddedBus.open(dir, log), reopen: () => EmbeddedBus.open(dir, log) };
});
