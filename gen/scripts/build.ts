/**
 * Builds the package into dist/: ES modules with declarations (tsc) in
 * dist/esm, and the same code as CommonJS (esbuild, file by file) in dist/cjs
 * with the declarations beside it, so `require("@marquee/sdk")` gets CommonJS
 * all the way down (@bufbuild/protobuf and @connectrpc/* ship both formats) on
 * every Node.js the package supports. `npm pack` runs it before packing and
 * removes dist/ after (scripts/clean.ts).
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const pkg = fileURLToPath(new URL("..", import.meta.url));
const dist = path.join(pkg, "dist");
const SOURCES = ["src", "client"];

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}

rmSync(dist, { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", path.join(pkg, "tsconfig.build.json")], { stdio: "inherit" });

await build({
  entryPoints: SOURCES.flatMap((dir) => walk(path.join(pkg, dir))).filter((f) => f.endsWith(".ts")),
  outdir: path.join(dist, "cjs"),
  outbase: pkg,
  format: "cjs",
  platform: "node",
  target: "node20",
  sourcemap: true,
  logLevel: "warning",
});
writeFileSync(path.join(dist, "cjs", "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);

// Declarations under a "type": "commonjs" package.json describe CommonJS modules to TypeScript.
const esm = path.join(dist, "esm");
for (const file of walk(esm).filter((f) => /\.d\.ts(\.map)?$/.test(f))) {
  const target = path.join(dist, "cjs", path.relative(esm, file));
  mkdirSync(path.dirname(target), { recursive: true });
  copyFileSync(file, target);
}
