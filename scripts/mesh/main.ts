/**
 * `npm run mesh -- [--cluster] [--port-offset N] [--demo]`: every service in
 * its own process on the real backends (the single-node ones, or with
 * --cluster the loopback cluster), two streaming replicas (the gateway
 * balances its calls over both, per call) and two streaming-consumers
 * processes, then the gateway. Prints where
 * everything is; Ctrl-C (or SIGTERM) stops it all.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { startMesh } from "./mesh.js";

const { values } = parseArgs({
  options: {
    cluster: { type: "boolean", default: false },
    "port-offset": { type: "string", default: "0" },
    dir: { type: "string", default: "data/mesh" },
    demo: { type: "boolean", default: false },
    "log-level": { type: "string", default: "info" },
  },
});
const dir = path.resolve(values.dir);
const started = Date.now();
const out = (line: string) => process.stdout.write(`${line}\n`);
out(`Starting the mesh on the ${values.cluster ? "loopback cluster" : "single-node backends"}…`);
const mesh = await startMesh({
  cluster: values.cluster,
  portOffset: Number(values["port-offset"]),
  dir,
  logLevel: values["log-level"],
  demo: values.demo,
}).catch((err: Error) => {
  process.stderr.write(`mesh: ${err.message}\n`);
  process.exit(1);
});
out(`Marquee mesh up in ${((Date.now() - started) / 1000).toFixed(1)} s: gateway ${mesh.gatewayUrl}`);
for (const p of mesh.processes.values()) {
  out(`  ${p.spec.name.padEnd(22)} ${p.url.padEnd(24)} pid ${String(p.pid).padEnd(8)} log ${p.logFile}`);
}
out("  The gateway spreads streaming calls and media over streaming-1 and streaming-2, per call.");
for (const [k, v] of Object.entries(mesh.backendsEnv)) out(`  ${k}=${v}`);
out("Ctrl-C stops it.");

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  out("\nStopping the mesh…");
  const t = Date.now();
  await mesh.close();
  out(`Stopped in ${((Date.now() - t) / 1000).toFixed(1)} s.`);
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
