/**
 * `npm start` (scripts/start.ts) as a new user meets it, with stdout a pipe:
 * JSON logs on stdout without warnings or access lines, the summary on
 * stderr; Ctrl-C in the middle of the first start's demo ingest; the next
 * start finishing the demo titles.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SERVICE_NAMES } from "@marquee/kit";
import { childProcesses, closedPort, isRunning, waitFor } from "@marquee/kit/testing";
import test from "ava";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

async function platformEnv(dataDir: string): Promise<Record<string, string>> {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    MARQUEE_EMBEDDED_DATA_DIR: dataDir,
    MARQUEE_CONTENT_SEED_SIZE: "50",
    MARQUEE_DEMO_SECONDS: "6",
    MARQUEE_DEMO_LONG_SECONDS: "0",
    // The demo pool (ten clips) is tested on its own (services/streaming/test/integration/demo-pool.test.ts).
    MARQUEE_DEMO_POOL: "0",
    MARQUEE_GATEWAY_PORT: String(await closedPort()),
    MARQUEE_GATEWAY_ADMIN_PORT: "0",
  };
  for (const name of ["MARQUEE_LOG_LEVEL", "MARQUEE_LOG_FORMAT", "MARQUEE_RPC_LOG_LEVEL", "MARQUEE_BACKENDS"])
    delete env[name];
  for (const name of SERVICE_NAMES) {
    const port = await closedPort();
    env[`MARQUEE_${name.toUpperCase()}_PORT`] = String(port);
    env[`MARQUEE_${name.toUpperCase()}_URL`] = `http://127.0.0.1:${port}`;
    env[`MARQUEE_${name.toUpperCase()}_ADMIN_PORT`] = "0";
  }
  return env;
}

/** scripts/start.ts as its own process, stdout and stderr pipes. */
function startPlatform(env: Record<string, string>) {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--conditions=marquee-source", "--import", "tsx", "scripts/start.ts"],
    { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  const out = { stdout: "", stderr: "" };
  child.stdout?.on("data", (chunk: Buffer) => {
    out.stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    out.stderr += chunk.toString();
  });
  let code: number | null | undefined;
  const exited = once(child, "exit").then(([c]) => {
    code = c as number | null;
    return code;
  });
  const running = () => {
    if (code !== undefined)
      throw new Error(`the platform exited (${code}):\n${out.stderr}\n${out.stdout.slice(-3000)}`);
    return true;
  };
  const entries = () =>
    out.stdout
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as { level: number; msg: string; component: string });
  return { child, out, exited, running, entries };
}

const marker = (dataDir: string): string[] =>
  JSON.parse(readFileSync(path.join(dataDir, "media", ".demo-titles.json"), "utf8"));

test("Ctrl-C during the first start's demo ingest exits within 3 s and kills ffmpeg; the next start finishes the demo", async (t) => {
  t.timeout(300_000);
  const dataDir = mkdtempSync(path.join(tmpdir(), "marquee-npm-start-"));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = await platformEnv(dataDir);

  const first = startPlatform(env);
  t.teardown(() => first.child.kill("SIGKILL"));
  await waitFor(
    "the summary",
    () => first.running() && first.out.stderr.includes("Marquee is running at"),
    120_000,
  );
  await waitFor(
    "the demo ingest",
    () => first.running() && first.out.stderr.includes("demo ingest: making"),
    60_000,
  );
  const ffmpeg = await waitFor(
    "an ffmpeg making a demo title",
    () =>
      first.running() &&
      childProcesses(first.child.pid as number, "ffmpeg").find(
        (pid) => !readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("-version"),
      ),
    60_000,
  );
  const interrupted = Date.now();
  first.child.kill("SIGINT");
  const code = await first.exited;
  const tookMs = Date.now() - interrupted;
  t.true(tookMs < 3_000, `exited ${tookMs} ms after SIGINT`);
  t.is(code, 0);
  t.false(isRunning(ffmpeg), "no ffmpeg is left running");
  t.deepEqual(childProcesses(first.child.pid as number, "ffmpeg"), []);

  // What a pipe gets: JSON lines only on stdout, none of them a warning or an access line.
  const logged = first.entries();
  t.true(logged.some((e) => e.msg === "serving" && e.component === "gateway"));
  t.deepEqual(
    logged.filter((e) => e.level >= 40),
    [],
    "a first start warns about nothing",
  );
  t.false(
    logged.some((e) => e.msg === "rpc"),
    "access lines are at debug",
  );
  t.regex(
    first.out.stderr,
    new RegExp(`Marquee is running at http://127\\.0\\.0\\.1:${env.MARQUEE_GATEWAY_PORT}`),
  );
  t.regex(first.out.stderr, /demo ingest: making "Test Signal" \(1 of 3\)/);
  t.regex(first.out.stderr, /Stopped in \d+\.\d s\./);
  const madeFirst = marker(dataDir);
  t.true(madeFirst.length < 3, `the ingest was interrupted (made: ${madeFirst.join(", ")})`);

  const second = startPlatform(env);
  t.teardown(() => second.child.kill("SIGKILL"));
  await waitFor(
    "the rest of the demo titles",
    () => second.running() && second.out.stderr.includes("Demo titles ready to play"),
    240_000,
  );
  t.deepEqual(marker(dataDir), ["signal", "life", "bars"]);
  t.regex(second.out.stderr, new RegExp(`Demo titles ready to play: ${3 - madeFirst.length} made`));
  second.child.kill("SIGINT");
  t.is(await second.exited, 0);
  t.deepEqual(
    second.entries().filter((e) => e.level >= 40),
    [],
  );
});
