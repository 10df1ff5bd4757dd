/**
 * Writes proto/buf/validate/validate.proto from the descriptor embedded in @bufbuild/protovalidate, so that buf
 * can compile our protovalidate annotations without reaching the Buf Schema Registry.
 *
 *   node --import tsx scripts/proto/validate-proto.ts          # (re)write the file
 *   node --import tsx scripts/proto/validate-proto.ts --check  # exit 1 if the file on disk is stale
 *
 * Generated code does not import this copy: it imports the descriptor from the npm package at runtime.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRegistry } from "@bufbuild/protobuf";
import { file_buf_validate_validate } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { printProtoFile } from "./print-proto.js";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const VALIDATE_PROTO_PATH = join(REPO_ROOT, "proto", file_buf_validate_validate.proto.name);

/** The installed version of @bufbuild/protovalidate (its package.json is not exported, so find it on disk). */
export function protovalidateVersion(): string {
  let dir = dirname(createRequire(import.meta.url).resolve("@bufbuild/protovalidate"));
  for (;;) {
    const pkgPath = join(dir, "package.json");
    if (existsSync(pkgPath)) {
      const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "@bufbuild/protovalidate" && pkg.version) return pkg.version;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find the package.json of @bufbuild/protovalidate");
    dir = parent;
  }
}

/** The content proto/buf/validate/validate.proto should have. */
export function renderValidateProto(): string {
  const file = file_buf_validate_validate;
  return printProtoFile(file.proto, {
    registry: createRegistry(file),
    header: [
      `Generated from the descriptor embedded in @bufbuild/protovalidate@${protovalidateVersion()}; do not edit;`,
      "regenerate with npm run generate (node --import tsx scripts/proto/validate-proto.ts).",
      "",
      "Only here so that buf can compile protovalidate annotations offline; generated code imports",
      "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js instead. The descriptor is wire-exact, including",
      "the custom options ((buf.validate.predefined) rules), but it carries no comments and no declaration order",
      "across kinds: see https://github.com/bufbuild/protovalidate for the documented original.",
    ],
  });
}

function main(args: string[]): number {
  const expected = renderValidateProto();
  const shown = relative(process.cwd(), VALIDATE_PROTO_PATH);
  if (args.includes("--check")) {
    const actual = existsSync(VALIDATE_PROTO_PATH) ? readFileSync(VALIDATE_PROTO_PATH, "utf8") : undefined;
    if (actual === expected) return 0;
    console.error(
      `${shown} is ${actual === undefined ? "missing" : "stale"}: it does not match the descriptor in ` +
        `@bufbuild/protovalidate@${protovalidateVersion()}. Regenerate it with ` +
        "`node --import tsx scripts/proto/validate-proto.ts` (part of npm run generate).",
    );
    return 1;
  }
  mkdirSync(dirname(VALIDATE_PROTO_PATH), { recursive: true });
  writeFileSync(VALIDATE_PROTO_PATH, expected);
  console.log(`wrote ${shown}`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
