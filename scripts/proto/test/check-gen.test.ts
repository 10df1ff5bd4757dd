import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import test from "ava";
import { staleGenFiles } from "../check-gen.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));

/** A scratch copy of what generation reads and writes, sharing the real node_modules. */
function scratchProject(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-stale-"));
  for (const entry of ["proto", "gen/src", "buf.yaml", "buf.gen.yaml"]) {
    cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
  }
  symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

test("the committed gen/ matches proto/", (t) => {
  t.deepEqual(staleGenFiles(root), []);
});

test("a proto change without regeneration is reported", (t) => {
  const dir = scratchProject();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "proto/marquee/feedback/v1/feedback_service.proto");
  writeFileSync(file, readFileSync(file, "utf8").replace("// Not for me.", "// Not for me at all."));
  t.deepEqual(staleGenFiles(dir), ["marquee/feedback/v1/feedback_service_pb.ts (differs)"]);
});

test("a generated file whose proto is gone is reported", (t) => {
  const dir = scratchProject();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, "gen/src/marquee/old/v1"), { recursive: true });
  writeFileSync(path.join(dir, "gen/src/marquee/old/v1/old_pb.ts"), "export {};\n");
  t.deepEqual(staleGenFiles(dir), ["marquee/old/v1/old_pb.ts (should not exist)"]);
});
