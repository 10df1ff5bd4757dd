import { type Logger, pino } from "pino";

export type { Logger };

/** Structured JSON logs, one logger per process component, named after it. */
export function createLogger(name: string, level: string = process.env.MARQUEE_LOG_LEVEL ?? "info"): Logger {
  return pino({ name, level, base: { component: name } });
}
