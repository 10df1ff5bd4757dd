import { ConfigError } from "./config.js";
import { createLogger, type Logger } from "./logger.js";

/** Runs until SIGINT/SIGTERM, then closes everything in order and exits. */
export function runUntilSignal(log: Logger, close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

/**
 * The body of every main.ts: start, then run until a signal. A bad
 * configuration ends the process with its message and status 2, not a stack trace.
 */
export async function runMain(name: string, start: () => Promise<{ close(): Promise<void> }>): Promise<void> {
  const log = createLogger(name);
  try {
    const server = await start();
    runUntilSignal(log, () => server.close());
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(2);
    }
    log.fatal({ err }, "failed to start");
    process.exit(1);
  }
}
