/** Closed-loop load: `concurrency` callers, each starting its next call when the last one ends. */
export interface Result {
  calls: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
}

export async function measure(
  call: () => Promise<unknown>,
  opts: { seconds: number; concurrency: number },
): Promise<Result> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const until = started + opts.seconds * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      const t0 = performance.now();
      try {
        await call();
        latencies.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pick = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return {
    calls: latencies.length,
    errors,
    perSecond: latencies.length / elapsed,
    p50: pick(0.5),
    p99: pick(0.99),
  };
}
