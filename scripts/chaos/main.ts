/**
 * `npm run chaos`: the loopback cluster and the mesh on it under a sustained
 * load (players reporting heartbeats at the production intervals, plus
 * logins, searches and ratings), while faults are injected one after another
 * with recovery in between (faults.ts). Then it reads back what the platform
 * acknowledged and prints, per fault, the client-visible errors and p50/p99
 * before, during and after, and the verdict: 0 lost, 0 doubled, accounts and
 * ratings present, search answering. Exits 1 if anything was lost, doubled or
 * missing. Bounded: a fixed number of members and faults, each phase timed.
 *
 *   npm run chaos -- [--members 25] [--profiles 4] [--hold 30] [--settle 30] [--port-offset 20000]
 */
import { setMaxListeners } from "node:events";
import path from "node:path";
import { parseArgs } from "node:util";
import { clusterEnv, startMesh } from "../mesh/mesh.js";
import { prepareCatalog } from "./catalog.js";
import { upCluster } from "./cluster-nodes.js";
import { faults } from "./faults.js";
import { type Committed, runLoad } from "./load.js";
import { gatewayApi, type Member, makeMember } from "./members.js";
import { Recorder, windowStats } from "./record.js";
import { verify } from "./verify.js";

const { values } = parseArgs({
  options: {
    members: { type: "string", default: "25" },
    profiles: { type: "string", default: "4" },
    hold: { type: "string", default: "30" },
    settle: { type: "string", default: "30" },
    "reading-ms": { type: "string", default: "10000" },
    "report-ms": { type: "string", default: "20000" },
    "port-offset": { type: "string", default: "20000" },
    dir: { type: "string", default: "data/chaos" },
  },
});
const n = (k: keyof typeof values) => Number(values[k]);
const out = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const at = () => `[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s]`;

out(`${at()} cluster: npm run backends -- up --cluster`);
await upCluster();
Object.assign(process.env, clusterEnv());
const dir = path.resolve(values.dir);
out(`${at()} mesh on the cluster (ports +${values["port-offset"]}, logs in ${dir}/logs)`);
const mesh = await startMesh({
  cluster: true,
  portOffset: n("port-offset"),
  dir,
  logLevel: "warn",
  demo: false,
  // access tokens must outlast the run: the players keep theirs throughout
  env: { MARQUEE_USER_ACCESS_TOKEN_TTL_MS: String(3 * 3600_000) },
});
let failed = true;
try {
  out(`${at()} catalog: 50 seeded titles, 10 of them playable`);
  const titles = await prepareCatalog(50, 10, path.join(dir, "media"));
  const api = gatewayApi(mesh.gatewayUrl);
  const members: Member[] = [];
  for (let i = 0; i < n("members"); i += 4) {
    const batch = Array.from({ length: Math.min(4, n("members") - i) }, (_, j) =>
      makeMember(
        api,
        i + j,
        titles.map((t) => t.contentId),
        n("profiles"),
      ),
    );
    members.push(...(await Promise.all(batch)));
  }
  const sessions = members.length * n("profiles");
  out(`${at()} ${members.length} members subscribed, ${sessions} sessions playing`);

  const rec = new Recorder();
  const committed: Committed = { ratings: new Map() };
  const stop = new AbortController();
  // every player waits on it between reports
  setMaxListeners(0, stop.signal);
  const load = runLoad(
    api,
    members,
    titles,
    { readingMs: n("reading-ms"), reportMs: n("report-ms"), backgroundMs: 1_000 },
    rec,
    committed,
    stop.signal,
  );
  const settleMs = n("settle") * 1000;
  out(`${at()} load: a report every ${n("report-ms") / 1000} s per session, logins, searches, ratings`);
  await sleep(settleMs);
  const phases: { name: string; detail: string; start: number; end: number }[] = [];
  for (const fault of faults(mesh)) {
    const start = Date.now();
    const detail = await fault.inject();
    out(`${at()} fault: ${fault.name} (${detail})`);
    await sleep(n("hold") * 1000);
    await fault.recover();
    const end = Date.now();
    out(`${at()} recovered in ${((end - start) / 1000).toFixed(0)} s`);
    phases.push({ name: fault.name, detail, start, end });
    await sleep(settleMs);
  }
  stop.abort();
  await load;
  out(`${at()} load stopped; reading back what was acknowledged`);
  const verdict = await verify(api, members, committed, Date.now() + 120_000);

  out("\nper fault: calls started before / during / after (errors; p50 / p99 ms of successful calls)");
  const fmt = (w: ReturnType<typeof windowStats>) => `${w.calls} (${w.errors} err; ${w.p50} / ${w.p99})`;
  for (const p of phases) {
    const before = windowStats(rec.calls, p.start - settleMs, p.start);
    const during = windowStats(rec.calls, p.start, p.end);
    const after = windowStats(rec.calls, p.end, p.end + settleMs);
    out(`- ${p.name}: ${((p.end - p.start) / 1000).toFixed(0)} s until recovered`);
    out(`    before ${fmt(before)} | during ${fmt(during)} | after ${fmt(after)}`);
    if (during.errors + after.errors > 0)
      out(`    errors: ${JSON.stringify({ ...during.codes, ...after.codes })}`);
  }
  const all = windowStats(rec.calls, 0, Number.MAX_SAFE_INTEGER);
  const hb = rec.calls.filter((c) => c.kind === "heartbeat");
  out(
    `\nall calls: ${fmt(all)}; heartbeat reports ${hb.length} (${hb.filter((c) => !c.ok).length} failed, resent)`,
  );
  out(`sessions ${verdict.sessions}, acknowledged readings ${verdict.acknowledgedReadings}`);
  out(`lost: ${verdict.lost.length}${verdict.lost.length ? ` ${verdict.lost.slice(0, 5).join(" ")}` : ""}`);
  out(
    `doubled: ${verdict.doubled.length}${verdict.doubled.length ? ` ${verdict.doubled.slice(0, 5).join(" ")}` : ""}`,
  );
  out(`accounts/subscriptions missing: ${verdict.missingAccounts.length} of ${members.length}`);
  const ratings = [...committed.ratings.values()].reduce((k, s) => k + s.size, 0);
  out(`ratings missing: ${verdict.missingRatings.length} of ${ratings}`);
  out(`search answers: ${verdict.searchAnswers ? "yes" : "NO"}`);
  failed =
    verdict.lost.length +
      verdict.doubled.length +
      verdict.missingAccounts.length +
      verdict.missingRatings.length >
      0 || !verdict.searchAnswers;
  out(`\n${failed ? "FAIL" : "PASS"} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
} finally {
  await mesh.close();
}
process.exit(failed ? 1 : 0);
