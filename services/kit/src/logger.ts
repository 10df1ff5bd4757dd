import { Code, ConnectError } from "@connectrpc/connect";
import { type DestinationStream, type Level, type Logger, pino } from "pino";
import { prettyFactory } from "pino-pretty";
import { z } from "zod";
import { loadConfig } from "./config.js";
import { traceFields } from "./tracing/log-fields.js";

export type { Logger };

/**
 * How this process writes its logs, the same for every component in it:
 * MARQUEE_LOG_FORMAT `auto` (default) writes one readable line per entry on a
 * terminal and JSON lines anywhere else (a pipe, a file, a collector), `json`
 * and `pretty` force one; MARQUEE_RPC_LOG_LEVEL is the level of the access
 * line every RPC logs (`info`; `npm start` sets `debug`, so a terminal shows
 * them only when asked). Levels stay per component (MARQUEE_LOG_LEVEL).
 */
const logVars = {
  MARQUEE_LOG_FORMAT: z.enum(["auto", "pretty", "json"]).default("auto"),
  MARQUEE_RPC_LOG_LEVEL: z.enum(["info", "debug"]).default("info"),
};

export interface LogSettings {
  format: "pretty" | "json";
  rpcLevel: "info" | "debug";
}

/** The settings an environment asks for, given whether stdout is a terminal. */
export function logSettings(env: Record<string, string | undefined>, stdoutIsTTY: boolean): LogSettings {
  const c = loadConfig(logVars, env);
  const format = c.MARQUEE_LOG_FORMAT === "auto" ? (stdoutIsTTY ? "pretty" : "json") : c.MARQUEE_LOG_FORMAT;
  return { format, rpcLevel: c.MARQUEE_RPC_LOG_LEVEL };
}

let settings: LogSettings | undefined;
let destination: DestinationStream | undefined;
let terminalWriter: ((text: string) => void) | undefined;

/** This process's log settings, read from its environment once, on first use. */
function processLogSettings(): LogSettings {
  settings ??= logSettings(process.env, process.stdout.isTTY === true);
  return settings;
}

/**
 * While set, readable lines go to `write` instead of straight to stdout: a
 * program that draws on the terminal (a progress bar) prints them above what
 * it draws. JSON lines are never diverted.
 */
export function setTerminalWriter(write: ((text: string) => void) | undefined): void {
  terminalWriter = write;
}

/** One destination per process, shared by every logger in it. */
function processDestination(): DestinationStream {
  if (destination !== undefined) return destination;
  if (processLogSettings().format === "json") {
    destination = pino.destination(1);
    return destination;
  }
  const pretty = prettyFactory({
    singleLine: true,
    translateTime: "SYS:HH:MM:ss",
    ignore: "pid,hostname,component",
  });
  destination = {
    write(line: string) {
      const text = pretty(line);
      if (terminalWriter !== undefined) terminalWriter(text);
      else process.stdout.write(text);
    },
  };
  return destination;
}

/** Structured logs, one logger per process component, named after it; written as processLogSettings says. */
export function createLogger(name: string, level: string = process.env.MARQUEE_LOG_LEVEL ?? "info"): Logger {
  return pino({ name, level, base: { component: name }, mixin: traceFields }, processDestination());
}

/** Codes that say something is wrong on the serving side, not in the request. */
const SERVER_FAULTS = new Set([
  Code.Internal,
  Code.Unknown,
  Code.DataLoss,
  Code.Unavailable,
  Code.DeadlineExceeded,
]);

/**
 * The level of one RPC's access line: MARQUEE_RPC_LOG_LEVEL for a call that
 * succeeded; a failed one one level up (warn) at `info`, and at `debug` only
 * when the fault is on the serving side, so a quiet terminal still shows
 * those and not every NotFound a member's browsing produces.
 */
export function rpcLogLevel(code: Code | undefined, { rpcLevel }: LogSettings = processLogSettings()): Level {
  if (code === undefined) return rpcLevel;
  return rpcLevel === "info" || SERVER_FAULTS.has(code) ? "warn" : "debug";
}

/** Failures a retry is expected to get past: a dependency down, slow or busy. */
const TRANSIENT = new Set([Code.Unavailable, Code.DeadlineExceeded, Code.ResourceExhausted, Code.Aborted]);

/**
 * The fields to log a failure that will be retried with: a transient one as
 * its message alone (`error: "[unavailable] connect ECONNREFUSED …"`, one
 * line), anything else as `err`, stack included, since it may be a bug.
 */
export function retryFields(err: unknown): { error: string } | { err: unknown } {
  if (err instanceof ConnectError && TRANSIENT.has(err.code)) return { error: err.message };
  return { err };
}
