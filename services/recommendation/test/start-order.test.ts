/**
 * The recommendation service started before the content service it takes its
 * catalog from (mesh mode, any start order): it waits with one warning line
 * and goes on once content serves; with content never up it stops at the
 * deadline with one clear line, no stack.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger, serve } from "@marquee/kit";
import { closedPort, waitFor } from "@marquee/kit/testing";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import test from "ava";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));

function startRecommendation(contentPort: number, env: Record<string, string>) {
  const dataDir = mkdtempSync(path.join(tmpdir(), "marquee-reco-order-"));
  const child: ChildProcess = spawn(process.execPath, ["--conditions=marquee-source", "--import=tsx", MAIN], {
    env: {
      ...process.env,
      MARQUEE_BACKENDS: "embedded",
      MARQUEE_EMBEDDED_DATA_DIR: dataDir,
      MARQUEE_RECOMMENDATION_PORT: "0",
      MARQUEE_RECOMMENDATION_ADMIN_PORT: "0",
      MARQUEE_CONTENT_URL: `http://127.0.0.1:${contentPort}`,
      MARQUEE_LOG_LEVEL: "info",
      MARQUEE_LOG_FORMAT: "json",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out = { stdout: "", stderr: "" };
  child.stdout?.on("data", (chunk: Buffer) => {
    out.stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    out.stderr += chunk.toString();
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const entries = () =>
    out.stdout
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as { level: number; msg: string } & Record<string, unknown>);
  const stop = async () => {
    child.kill("SIGKILL");
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { child, out, exited, entries, stop };
}

test("started before content: one warning line, then it serves once content does", async (t) => {
  t.timeout(60_000);
  const port = await closedPort();
  const reco = startRecommendation(port, { MARQUEE_DEPENDENCY_TIMEOUT_MS: "40000" });
  t.teardown(reco.stop);
  await waitFor("the warning", () => reco.entries().some((e) => e.level === 40), 30_000);

  const content = await serve({
    name: "content",
    services: [ContentService],
    host: "127.0.0.1",
    port,
    log: createLogger("content", "silent"),
    routes: (r) => r.service(ContentService, { browseContent: () => ({}), getGenres: () => ({}) }),
  });
  t.teardown(() => content.close());
  await waitFor("recommendation serving", () => reco.entries().some((e) => e.msg === "serving"), 30_000);
  await waitFor("the catalog synced", () => reco.entries().some((e) => e.msg === "catalog synced"), 30_000);

  const warnings = reco.entries().filter((e) => e.level >= 40);
  t.is(warnings.length, 1, JSON.stringify(warnings));
  t.like(warnings[0], { msg: "waiting for content to serve", dependency: "content" });
  t.regex(String(warnings[0]?.reason), /ECONNREFUSED/);
  t.false(reco.out.stdout.includes('"stack"'), "no stack anywhere");
});

test("content never up: it stops at the deadline with one line naming content and where it looked", async (t) => {
  t.timeout(60_000);
  const port = await closedPort();
  const reco = startRecommendation(port, { MARQUEE_DEPENDENCY_TIMEOUT_MS: "500" });
  t.teardown(reco.stop);
  t.is(await reco.exited, 1);
  t.is(
    reco.out.stderr,
    `recommendation: content at http://127.0.0.1:${port} is not serving after 500 ms (connect ECONNREFUSED 127.0.0.1:${port}): start it, or point MARQUEE_CONTENT_URL at it\n`,
  );
  t.false(reco.out.stdout.includes('"stack"'));
  t.is(reco.entries().filter((e) => e.level >= 40).length, 1);
});
