/**
 * A Python with the packages of a requirements file, for tests and scripts
 * that drive Python tools (grpcio probes, the Python SDK):
 *
 *   const python = await pythonWith("scripts/python/requirements.txt");
 *   execFile(python, ["probe.py", ...]);
 *
 * Each requirements file gets one virtualenv, made once with `python3 -m venv`
 * and `pip install -r` and kept under $MARQUEE_CACHE_DIR (default
 * ~/.cache/marquee)/python/venv-<hash>, the hash being of the file's text and
 * the base interpreter, so a changed pin or a new Python makes a new one. It
 * is built in a scratch folder and renamed into place, so processes that ask
 * at once each see a complete virtualenv (the first rename wins, the others
 * drop theirs). Because it is moved after it is built, run tools as
 * `python -m pip`, `python -m grpc_tools.protoc`, never through its bin/ scripts.
 */
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The Python that virtualenvs are made from. */
const BASE_PYTHON = "python3";

/** The path of a python that has every package of requirementsFile installed. */
export async function pythonWith(requirementsFile: string): Promise<string> {
  const requirements = await readFile(requirementsFile, "utf8");
  const { stdout: base } = await run(BASE_PYTHON, ["-c", "import sys; print(sys.version, sys.executable)"]);
  const hash = createHash("sha256").update(base).update(requirements).digest("hex").slice(0, 16);
  const root = path.join(
    process.env.MARQUEE_CACHE_DIR ?? path.join(homedir(), ".cache", "marquee"),
    "python",
  );
  const venv = path.join(root, `venv-${hash}`);
  const python = path.join(venv, "bin", "python");
  if (existsSync(python)) return python;

  await mkdir(root, { recursive: true });
  const scratch = path.join(root, `.venv-${hash}-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    await run(BASE_PYTHON, ["-m", "venv", scratch]);
    await run(
      path.join(scratch, "bin", "python"),
      [
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "-r",
        path.resolve(requirementsFile),
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    await rename(scratch, venv).catch((err: NodeJS.ErrnoException) => {
      // Another process finished first: its virtualenv is as good as ours.
      if (!(["ENOTEMPTY", "EEXIST"].includes(err.code ?? "") && existsSync(python))) throw err;
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return python;
}
