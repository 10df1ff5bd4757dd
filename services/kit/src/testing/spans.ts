import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { registerTracing } from "../tracing/setup.js";

export interface SpanRecorder {
  /** Every span ended so far, in the order they ended. */
  spans(): ReadableSpan[];
  /** Forgets the spans recorded so far. */
  reset(): void;
}

/**
 * Turns tracing on for this test process with spans kept in memory, each as it
 * ends. Call it before wiring anything: hooks look once, when they are made.
 */
export async function recordSpans(serviceName = "test"): Promise<SpanRecorder> {
  const { InMemorySpanExporter, SimpleSpanProcessor } = await import("@opentelemetry/sdk-trace-base");
  const exporter = new InMemorySpanExporter();
  await registerTracing(serviceName, [new SimpleSpanProcessor(exporter)]);
  return { spans: () => exporter.getFinishedSpans(), reset: () => exporter.reset() };
}
