/**
 * `npm run sdk:python [-- --out <dir>]`: builds the Python SDK wheel from
 * proto/ (default output gen/python/dist/). grpcio-tools generates the
 * messages (_pb2), their type stubs (.pyi) and the gRPC stubs (_pb2_grpc) of
 * every marquee.* contract, plus buf/validate (imported by the contracts), in
 * a scratch copy of this folder; pip builds the wheel there, so nothing
 * generated lands in the checkout. grpc/health and grpc/reflection are left
 * out on purpose: generated, they would be a package named `grpc` shadowing
 * grpcio itself; use grpcio-health-checking (grpc_health.v1) and
 * grpcio-reflection instead.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { pythonWith } from "../../scripts/python/venv.js";

const run = promisify(execFile);
const here = fileURLToPath(new URL(".", import.meta.url));
const root = path.join(here, "..", "..");
const protoDir = path.join(root, "proto");

function protoFiles(dir: string): string[] {
  return readdirSync(path.join(protoDir, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    return entry.isDirectory() ? protoFiles(rel) : entry.name.endsWith(".proto") ? [rel] : [];
  });
}

/** Builds the wheel into outDir and returns its path. */
export async function buildPythonSdk(outDir: string): Promise<string> {
  const python = await pythonWith(path.join(here, "requirements-build.txt"));
  const scratch = mkdtempSync(path.join(tmpdir(), "marquee-python-sdk-"));
  try {
    for (const item of ["pyproject.toml", "README.md", "src"]) {
      cpSync(path.join(here, item), path.join(scratch, item), { recursive: true });
    }
    const out = path.join(scratch, "src");
    const { stdout: wellKnown } = await run(python, [
      "-c",
      "import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), '_proto'))",
    ]);
    const protoc = (args: string[]) =>
      run(python, ["-m", "grpc_tools.protoc", `-I${protoDir}`, `-I${wellKnown.trim()}`, ...args], {
        maxBuffer: 16 * 1024 * 1024,
      });
    await protoc([
      `--python_out=${out}`,
      `--pyi_out=${out}`,
      `--grpc_python_out=${out}`,
      ...protoFiles("marquee"),
    ]);
    await protoc([`--python_out=${out}`, `--pyi_out=${out}`, ...protoFiles("buf")]);
    mkdirSync(outDir, { recursive: true });
    await run(
      python,
      [
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--disable-pip-version-check",
        "-q",
        "-w",
        outDir,
        scratch,
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const wheel = readdirSync(outDir).find((f) => /^marquee_sdk-.*\.whl$/.test(f));
    if (wheel === undefined) throw new Error(`pip wrote no wheel into ${outDir}`);
    return path.join(outDir, wheel);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: "string", default: path.join(here, "dist") } } });
  const wheel = await buildPythonSdk(path.resolve(values.out));
  process.stdout.write(`${wheel}\n`);
}
