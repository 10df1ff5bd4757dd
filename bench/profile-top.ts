/**
 * The top entries of a V8 CPU profile (.cpuprofile, as `node --cpu-prof` or
 * heartbeat-ingest's `--cpu-prof` writes them): self and total time per
 * function (total counts a function once per sample, however deep it
 * recurses), and self time per module (a package, Node's internals, or a
 * workspace file). Time is the sampled wall time in which the thread ran
 * JavaScript or native code under it; "(idle)" is the event loop waiting.
 *
 *   node --import tsx bench/profile-top.ts <profile.cpuprofile> [--top 25] [--per <n> --unit request]
 *
 * With `--per n`, every figure is also divided by n (e.g. the requests the
 * profiled phase served), giving µs per request.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: "string", default: "25" },
    per: { type: "string" },
    unit: { type: "string", default: "request" },
  },
});
const file = positionals[0];
if (file === undefined) throw new Error("usage: profile-top.ts <profile.cpuprofile> [--top 25] [--per n]");
const top = Number(values.top);
const per = values.per === undefined ? undefined : Number(values.per);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** Where a function lives, short: a package and its file, a Node internal, or a workspace path. */
const place = (url: string) => {
  if (url === "") return "";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  if (pkg !== null) return `${pkg[1]}/${pkg[2]}`;
  if (url.startsWith("node:")) return url;
  const ws = /\/((?:services|gateway|bench|web-player)\/.*)$/.exec(url);
  return ws?.[1] ?? url;
};
const moduleOf = (url: string) => {
  if (url === "") return "(native / VM)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg !== null) return pkg[1] as string;
  if (url.startsWith("node:")) return "node: internals";
  const ws = /\/((?:services|gateway|bench)\/[^/]+)/.exec(url);
  return ws?.[1] ?? url;
};
const keyOf = (n: ProfileNode) => {
  const { functionName, url, lineNumber } = n.callFrame;
  const where = place(url);
  return `${functionName || "(anonymous)"}${where === "" ? "" : ` ${where}:${lineNumber + 1}`}`;
};

const self = new Map<string, number>();
const total = new Map<string, number>();
const modules = new Map<string, number>();
let sampled = 0;
let idle = 0;
profile.samples.forEach((id, i) => {
  const us = profile.timeDeltas[i] ?? 0;
  const node = byId.get(id);
  if (node === undefined) return;
  sampled += us;
  if (node.callFrame.functionName === "(idle)") {
    idle += us;
    return;
  }
  const key = keyOf(node);
  self.set(key, (self.get(key) ?? 0) + us);
  const mod = moduleOf(node.callFrame.url);
  modules.set(mod, (modules.get(mod) ?? 0) + us);
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const k = keyOf(byId.get(at) as ProfileNode);
    if (seen.has(k)) continue;
    seen.add(k);
    total.set(k, (total.get(k) ?? 0) + us);
  }
});
const busy = sampled - idle;

const table = (m: Map<string, number>, label: string) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({
      [label]: name.length > 110 ? `${name.slice(0, 107)}…` : name,
      ms: Math.round(us / 1000),
      "% busy": ((100 * us) / busy).toFixed(1),
      ...(per === undefined ? {} : { [`µs/${values.unit}`]: (us / per).toFixed(1) }),
    }));

console.log(
  `${file}: ${(sampled / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(2)} s busy (${((100 * busy) / sampled).toFixed(0)} %)${per === undefined ? "" : `, ${(busy / per).toFixed(0)} µs per ${values.unit} over ${per}`}`,
);
console.log("self time by module:");
console.table(table(modules, "module"));
console.log("self time by function:");
console.table(table(self, "function"));
console.log("total time by function (inclusive):");
console.table(table(total, "function"));
