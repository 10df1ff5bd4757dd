import {
  type Attributes,
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";

/** A point in a trace that work done later (a write round, a batch) can be parented to. */
export type TraceContext = Context;

/** The trace context the current call runs in. */
export const activeContext = (): TraceContext => context.active();

/** Marks a span failed by this error. */
function failSpan(span: Span, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  span.recordException(err instanceof Error ? err : message);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** Default: the active context. */
  parent?: TraceContext;
}

/**
 * Runs `work` in a new span, active for everything it does, and ends the span
 * when the work settles (failed if it throws).
 */
export function inSpan<T>(
  tracer: Tracer,
  name: string,
  work: () => Promise<T>,
  opts: SpanOptions = {},
): Promise<T> {
  const parent = opts.parent ?? context.active();
  const span = tracer.startSpan(
    name,
    { kind: opts.kind ?? SpanKind.INTERNAL, attributes: opts.attributes },
    parent,
  );
  return context.with(trace.setSpan(parent, span), work).then(
    (value) => {
      span.end();
      return value;
    },
    (err: unknown) => {
      failSpan(span, err);
      span.end();
      throw err;
    },
  );
}
