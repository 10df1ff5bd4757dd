import { readdirSync, readFileSync } from "node:fs";

/** Processes whose CPU time a benchmark reports, by label. */
export type Watched = Record<string, number | undefined>;

const TICKS_PER_SECOND = 100;

function cpuSeconds(pid: number): number {
  try {
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** The pid of the first process whose command line contains `needle`. */
export function pidOf(needle: string): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(needle)) return Number(entry);
    } catch {}
  }
  return undefined;
}

/** Starts counting; the returned function gives each process's cores used since then. */
export function cpuShare(watched: Watched): () => Record<string, string> {
  const started = performance.now();
  const before = Object.fromEntries(
    Object.entries(watched).map(([k, pid]) => [k, pid === undefined ? 0 : cpuSeconds(pid)]),
  );
  return () => {
    const wall = (performance.now() - started) / 1000;
    return Object.fromEntries(
      Object.entries(watched).map(([k, pid]) => [
        k,
        pid === undefined ? "-" : ((cpuSeconds(pid) - (before[k] ?? 0)) / wall).toFixed(2),
      ]),
    );
  };
}

/** Cores used by the named processes of a cpuShare() result together (all of them by default). */
export function coresOf(share: Record<string, string>, labels = Object.keys(share)): number {
  return labels.reduce((sum, k) => sum + (Number(share[k]) || 0), 0);
}
