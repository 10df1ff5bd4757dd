import { trace } from "@opentelemetry/api";
import { isTracing } from "./state.js";

/**
 * The trace and span a log line was written in, so an operator goes from a line to its trace (and
 * back) in the collector. Nothing while this process does not trace, and nothing outside a span.
 * A new object each time: pino merges the line's own fields into it.
 */
export function traceFields(): { trace_id?: string; span_id?: string } {
  if (!isTracing()) return {};
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
