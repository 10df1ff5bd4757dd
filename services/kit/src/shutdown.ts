import { ConfigError } from "./config.js";
import { DependencyError } from "./dependencies.js";
import { createLogger, type Logger } from "./logger.js";
import { startTracing, type Tracing } from "./tracing/setup.js";

/**
 * Runs until SIGINT/SIGTERM, then closes everything in order and exits. A
 * second signal exits at once, without waiting for the close.
 */
export function runUntilSignal(log: Logger, close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log.warn({ signal }, "second signal: exiting without waiting");
      process.exit(130);
    }
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
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

/**
 * The body of every main.ts: start tracing (when OTEL_EXPORTER_OTLP_ENDPOINT
 * is set), start, then run until a signal. A bad
 * configuration ends the process with its message and status 2, a dependency
 * that never came up with its message and status 1, not a stack trace. A
 * signal while starting exits at once: nothing is serving yet (and any ffmpeg
 * started is killed as the process exits).
 */
export async function runMain(name: string, start: () => Promise<{ close(): Promise<void> }>): Promise<void> {
  const fail = (err: unknown, log?: Logger): never => {
    if (err instanceof ConfigError || err instanceof DependencyError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(err instanceof ConfigError ? 2 : 1);
    }
    if (log === undefined) throw err;
    log.fatal({ err }, "failed to start");
    process.exit(1);
  };
  let log: Logger;
  try {
    log = createLogger(name);
  } catch (err) {
    return fail(err);
  }
  const whileStarting = (signal: string) => {
    log.info({ signal }, "stopped while starting");
    process.exit(130);
  };
  process.once("SIGINT", whileStarting);
  process.once("SIGTERM", whileStarting);
  let server: { close(): Promise<void> };
  let tracing: Tracing;
  try {
    tracing = await startTracing(name);
    server = await start();
  } catch (err) {
    return fail(err, log);
  }
  process.off("SIGINT", whileStarting);
  process.off("SIGTERM", whileStarting);
  runUntilSignal(log, async () => {
    await server.close();
    await tracing.shutdown();
  });
}
