/**
 * Fails when gen/src is not what `npm run generate` would produce from proto/:
 * generates into a temporary directory with the project's own buf.gen.yaml and
 * compares file by file. Usage: check-gen.ts [project root]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listFiles(path.join(dir, entry.name), path.join(prefix, entry.name))
      : [path.join(prefix, entry.name)],
  );
}

/** Paths under gen/src that are missing, extra or different; empty when gen/ is fresh. */
export function staleGenFiles(root: string): string[] {
  const scratch = mkdtempSync(path.join(tmpdir(), "marquee-gen-"));
  try {
    // buf finds the local protoc-gen-es plugin on PATH, as under `npm run generate`.
    const bin = path.join(root, "node_modules", ".bin");
    execFileSync(path.join(bin, "buf"), ["generate", "--output", scratch], {
      cwd: root,
      env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` },
      stdio: ["ignore", "ignore", "inherit"],
    });
    const fresh = path.join(scratch, "gen", "src");
    const committed = path.join(root, "gen", "src");
    const want = new Set(listFiles(fresh));
    const have = new Set(listFiles(committed).filter((f) => f.endsWith("_pb.ts")));
    const stale: string[] = [];
    for (const file of new Set([...want, ...have])) {
      if (!want.has(file)) stale.push(`${file} (should not exist)`);
      else if (!have.has(file)) stale.push(`${file} (missing)`);
      else if (!readFileSync(path.join(fresh, file)).equals(readFileSync(path.join(committed, file))))
        stale.push(`${file} (differs)`);
    }
    return stale.sort();
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const stale = staleGenFiles(path.resolve(process.argv[2] ?? "."));
  if (stale.length > 0) {
    process.stderr.write(
      `gen/ is stale: run \`npm run generate\` and commit gen/ with proto/.\n  ${stale.join("\n  ")}\n`,
    );
    process.exit(1);
  }
  process.stdout.write("gen/ is up to date with proto/\n");
}
