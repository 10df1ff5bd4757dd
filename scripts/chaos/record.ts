import { ConnectError } from "@connectrpc/connect";

/** One client-visible call: when it started, how long it took, and how it ended. */
export interface CallRecord {
  kind: string;
  startMs: number;
  ms: number;
  ok: boolean;
  code?: string;
}

/** Every call the load makes, for the per-fault figures. */
export class Recorder {
  readonly calls: CallRecord[] = [];

  /** Runs fn, records it, and returns its result or undefined if it failed. */
  async call<T>(kind: string, fn: () => Promise<T>): Promise<T | undefined> {
    const startMs = Date.now();
    try {
      const out = await fn();
      this.calls.push({ kind, startMs, ms: Date.now() - startMs, ok: true });
      return out;
    } catch (err) {
      const code = err instanceof ConnectError ? String(err.code) : (err as Error).name;
      this.calls.push({ kind, startMs, ms: Date.now() - startMs, ok: false, code });
      return undefined;
    }
  }
}

const pct = (sorted: number[], q: number) =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);

/** Calls started in [fromMs, toMs): count, failures (by code), p50 and p99 of the successful ones. */
export function windowStats(calls: CallRecord[], fromMs: number, toMs: number) {
  const inside = calls.filter((c) => c.startMs >= fromMs && c.startMs < toMs);
  const ms = inside
    .filter((c) => c.ok)
    .map((c) => c.ms)
    .sort((a, b) => a - b);
  const codes: Record<string, number> = {};
  for (const c of inside) if (!c.ok) codes[`${c.kind}:${c.code}`] = (codes[`${c.kind}:${c.code}`] ?? 0) + 1;
  return {
    calls: inside.length,
    errors: inside.filter((c) => !c.ok).length,
    codes,
    p50: pct(ms, 0.5),
    p99: pct(ms, 0.99),
  };
}
