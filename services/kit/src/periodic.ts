import type { Logger } from "pino";

/**
 * Runs `task` now and then every `intervalMs`, one run at a time (a slow run
 * delays the next instead of overlapping it); a failed run is logged as
 * `what` and the next one tries again. stop() waits for the run in progress.
 */
export function runPeriodically(
  task: () => Promise<void>,
  intervalMs: number,
  log: Logger,
  what: string,
): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = running.then(task).catch((err: unknown) => log.warn({ err }, `${what} failed`));
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
