/**
 * Unary RPC throughput and latency on loopback: the same call made directly
 * to a service over gRPC and through the gateway, in one run, each server in
 * its own process as in mesh mode. Prints both and the ratio (target: the
 * gateway keeps >= 75% of direct throughput).
 *
 *   npm run bench -- [--seconds 10] [--concurrency 32]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { closedPort, spawnTs } from "@marquee/gateway/testing/processes";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { measure, type Result } from "./lib/measure.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    concurrency: { type: "string", default: "32" },
  },
});
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const ID = "0b7a1f7e-1c2d-4e3f-9a8b-7c6d5e4f3a2b";
// Catalog reads need a member or a partner at the gateway: the bench is a partner with a throwaway key.
const API_KEY = randomBytes(24).toString("base64url");
const root = new URL("../", import.meta.url);

const children: ChildProcess[] = [];
try {
  const upstream = await spawnTs<{ port: number }>(
    fileURLToPath(new URL("gateway/test/fixtures/upstream.ts", root)),
  );
  children.push(upstream.child);
  const gatewayPort = await closedPort();
  const gateway = spawn(
    process.execPath,
    ["--conditions=marquee-source", "--import=tsx", fileURLToPath(new URL("gateway/src/main.ts", root))],
    {
      env: {
        ...process.env,
        MARQUEE_GATEWAY_PORT: String(gatewayPort),
        MARQUEE_CONTENT_URL: `http://127.0.0.1:${upstream.info.port}`,
        MARQUEE_PARTNER_API_KEYS: `bench:${createHash("sha256").update(API_KEY).digest("hex")}:`,
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  children.push(gateway);
  // The gateway logs "serving" once it listens.
  for await (const chunk of gateway.stdout as NodeJS.ReadableStream) {
    if (String(chunk).includes('"msg":"serving"')) break;
  }
  gateway.stdout?.resume();

  const targets: Record<string, string> = {
    "direct (gRPC to the service)": `http://127.0.0.1:${upstream.info.port}`,
    "through the gateway (gRPC in, gRPC out)": `http://127.0.0.1:${gatewayPort}`,
  };
  const results: Array<[string, Result]> = [];
  for (const [name, baseUrl] of Object.entries(targets)) {
    const client = createClient(ContentService, createGrpcTransport({ baseUrl }));
    const call = () => client.getContentDetails({ contentId: ID }, { headers: { "x-api-key": API_KEY } });
    await measure(call, { seconds: Math.min(2, seconds), concurrency }); // warm-up: JIT, connections
    results.push([name, await measure(call, { seconds, concurrency })]);
  }

  const rows = results.map(([name, r]) => ({
    path: name,
    "calls/s": Math.round(r.perSecond),
    "p50 ms": r.p50.toFixed(2),
    "p99 ms": r.p99.toFixed(2),
    calls: r.calls,
    errors: r.errors,
  }));
  console.table(rows);
  const [direct, viaGateway] = results.map(([, r]) => r.perSecond) as [number, number];
  const ratio = viaGateway / direct;
  console.log(
    `gateway/direct throughput ratio: ${ratio.toFixed(2)} (target >= 0.75) — ${seconds}s per path, ${concurrency} calls in flight`,
  );
} finally {
  for (const child of children) {
    child.kill("SIGTERM");
    if (child.exitCode === null) await once(child, "exit");
  }
}
