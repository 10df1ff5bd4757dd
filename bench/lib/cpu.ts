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

/** Busy and interrupt-handling CPU ticks of the whole machine (every process and the kernel, /proc/stat). */
function machineTicks(): { busy: number; irq: number } {
  const [, ...fields] = (readFileSync("/proc/stat", "utf8").split("\n")[0] as string).trim().split(/\s+/);
  // user nice system idle iowait irq softirq steal …
  const n = fields.map(Number);
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - (n[3] ?? 0) - (n[4] ?? 0), irq: (n[5] ?? 0) + (n[6] ?? 0) };
}

/**
 * Starts counting; the returned function gives the cores the whole machine kept busy since then,
 * and of those the cores spent handling interrupts (mostly loopback networking), which the
 * kernel charges to no process.
 */
export function machineShare(): () => { busy: number; irq: number } {
  const started = performance.now();
  const before = machineTicks();
  return () => {
    const wall = (performance.now() - started) / 1000;
    const now = machineTicks();
    return {
      busy: (now.busy - before.busy) / TICKS_PER_SECOND / wall,
      irq: (now.irq - before.irq) / TICKS_PER_SECOND / wall,
    };
  };
}

/** Cores used by the named processes of a cpuShare() result together (all of them by default). */
export function coresOf(share: Record<string, string>, labels = Object.keys(share)): number {
  return labels.reduce((sum, k) => sum + (Number(share[k]) || 0), 0);
}
