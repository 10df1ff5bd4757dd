/**
 * Unary RPC throughput and latency on loopback: the same call made directly
 * to a service and through the gateway, in one run, each server in its own
 * process as in mesh mode, over gRPC, binary Connect, Connect JSON and
 * gRPC-Web (the last three over HTTP/1.1, as a browser speaks them). Prints
 * each and the gateway/direct ratio per protocol (target: >= 0.85 for gRPC,
 * binary Connect and gRPC-Web, which pass through the gateway as bytes;
 * Connect JSON is decoded and re-encoded there, and is reported).
 *
 *   npm run bench -- [--seconds 10] [--concurrency 32]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createClient, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
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

  const direct = `http://127.0.0.1:${upstream.info.port}`;
  const viaGateway = `http://127.0.0.1:${gatewayPort}`;
  const protocols: Record<string, { target: string; transport: (baseUrl: string) => Transport }> = {
    gRPC: { target: "0.85", transport: (baseUrl) => createGrpcTransport({ baseUrl }) },
    "Connect binary": {
      target: "0.85",
      transport: (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true }),
    },
    "gRPC-Web": {
      target: "0.85",
      transport: (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }),
    },
    "Connect JSON": {
      target: "reported",
      transport: (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1" }),
    },
  };
  const rows: Record<string, string | number>[] = [];
  const ratios: string[] = [];
  for (const [protocol, { target, transport }] of Object.entries(protocols)) {
    const measured: Result[] = [];
    for (const [path, baseUrl] of [
      ["direct", direct],
      ["through the gateway", viaGateway],
    ] as const) {
      const client = createClient(ContentService, transport(baseUrl));
      const call = () => client.getContentDetails({ contentId: ID }, { headers: { "x-api-key": API_KEY } });
      await measure(call, { seconds: Math.min(2, seconds), concurrency }); // warm-up: JIT, connections
      const r = await measure(call, { seconds, concurrency });
      measured.push(r);
      rows.push({
        protocol,
        path,
        "calls/s": Math.round(r.perSecond),
        "p50 ms": r.p50.toFixed(2),
        "p99 ms": r.p99.toFixed(2),
        calls: r.calls,
        errors: r.errors,
      });
    }
    const [d, g] = measured as [Result, Result];
    ratios.push(
      `${protocol}: ${(g.perSecond / d.perSecond).toFixed(2)} (target ${target === "reported" ? "none, reported" : `>= ${target}`})`,
    );
  }
  console.table(rows);
  console.log(`gateway/direct throughput ratio — ${seconds}s per path, ${concurrency} calls in flight`);
  for (const line of ratios) console.log(`  ${line}`);
} finally {
  for (const child of children) {
    child.kill("SIGTERM");
    if (child.exitCode === null) await once(child, "exit");
  }
}
