import { type Tracer, trace } from "@opentelemetry/api";

let on = false;

/**
 * The tracer a component makes its spans with, or undefined while this
 * process does not trace. Hooks ask once, when they are wired, and are not
 * installed at all while tracing is off: no span, context or header is made
 * for it on any call (the heartbeat path included).
 */
export function tracerFor(component: string): Tracer | undefined {
  return on ? trace.getTracer(component) : undefined;
}

/** Whether this process traces, for a check made per call (a log line) that needs no tracer. */
export function isTracing(): boolean {
  return on;
}

/** Set by registerTracing, before anything is wired. */
export function setTracing(value: boolean): void {
  on = value;
}
