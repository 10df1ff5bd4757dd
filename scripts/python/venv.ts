/**
 * Python tools with pinned packages, each set in its own virtualenv cached
 * under ~/.cache/marquee/python/<hash of the requirements file>: made once
 * with `python3 -m venv` and `pip install -r`, then reused. Concurrent callers
 * (parallel test files) wait for the one that creates it; a creator that died
 * leaves a lock that the next caller takes over. MARQUEE_PYTHON names the
 * interpreter to build from (default python3).
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { promisify } from "node:util";

const run = promisify(execFile);
const CREATE_TIMEOUT_MS = 15 * 60_000;
const POLL_MS = 250;

/** The python executable of a virtualenv holding exactly the packages of the requirements file. */
export async function pythonWith(requirementsFile: string): Promise<string> {
  const requirements = await readFile(requirementsFile, "utf8");
  const base = process.env.MARQUEE_PYTHON ?? "python3";
  const hash = createHash("sha256").update(base).update("\0").update(requirements).digest("hex").slice(0, 16);
  const dir = path.join(os.homedir(), ".cache", "marquee", "python", hash);
  const python = path.join(dir, "bin", "python");
  const ready = path.join(dir, ".ready");
  const lock = `${dir}.lock`;
  const deadline = Date.now() + CREATE_TIMEOUT_MS;
  await mkdir(path.dirname(dir), { recursive: true });
  while (!existsSync(ready)) {
    if (await takeLock(lock)) {
      try {
        if (!existsSync(ready)) await create(base, dir, requirementsFile);
      } finally {
        await rm(lock, { recursive: true, force: true });
      }
      break;
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${dir} to be created (lock ${lock})`);
    await delay(POLL_MS);
  }
  return python;
}

async function create(base: string, dir: string, requirementsFile: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await run(base, ["-m", "venv", dir], { timeout: CREATE_TIMEOUT_MS });
  const python = path.join(dir, "bin", "python");
  await run(
    python,
    ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-q", "-r", requirementsFile],
    { timeout: CREATE_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
  );
  await writeFile(path.join(dir, ".ready"), `${new Date().toISOString()}\n`);
}

/** Takes the lock (a directory holding the owner's pid), or clears it when its owner is gone. */
async function takeLock(lock: string): Promise<boolean> {
  try {
    await mkdir(lock);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    const owner = Number(await readFile(path.join(lock, "pid"), "utf8").catch(() => "NaN"));
    if (Number.isInteger(owner) && !alive(owner)) await rm(lock, { recursive: true, force: true });
    return false;
  }
  await writeFile(path.join(lock, "pid"), String(process.pid));
  return true;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
