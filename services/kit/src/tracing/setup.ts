import type { SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { loadTracingConfig } from "./config.js";
import { setTracing } from "./state.js";

export interface Tracing {
  /** Sends the spans still buffered and stops. */
  shutdown(): Promise<void>;
}

const SHUTDOWN_MS = 1_000;

const OFF: Tracing = { shutdown: async () => {} };

/**
 * Starts tracing for this process when OTEL_EXPORTER_OTLP_ENDPOINT is set:
 * spans are batched and exported over OTLP. Otherwise nothing is registered
 * (the API stays on its no-op tracer) and the SDK is not even loaded. Call it
 * before wiring anything: hooks look once, when they are made.
 */
export async function startTracing(
  name: string,
  env: Record<string, string | undefined> = process.env,
): Promise<Tracing> {
  const config = loadTracingConfig(env);
  if (config.tracesUrl === undefined) return OFF;
  const [{ BatchSpanProcessor }, { OTLPTraceExporter }] = await Promise.all([
    import("@opentelemetry/sdk-trace-base"),
    import("@opentelemetry/exporter-trace-otlp-proto"),
  ]);
  return registerTracing(config.serviceName ?? name, [
    new BatchSpanProcessor(new OTLPTraceExporter({ url: config.tracesUrl })),
  ]);
}

/**
 * Registers the process's tracer provider with these span processors (tests
 * pass an in-memory one): AsyncLocalStorage carries the active span across
 * awaits, W3C trace context (traceparent, tracestate) crosses processes.
 */
export async function registerTracing(serviceName: string, processors: SpanProcessor[]): Promise<Tracing> {
  const [{ NodeTracerProvider }, { resourceFromAttributes }] = await Promise.all([
    import("@opentelemetry/sdk-trace-node"),
    import("@opentelemetry/resources"),
  ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": serviceName }),
    spanProcessors: processors,
  });
  provider.register();
  setTracing(true);
  return {
    async shutdown() {
      setTracing(false);
      // The spans still buffered get a second: a collector that does not answer must not hold up an exit.
      await Promise.race([
        provider.shutdown().catch(() => {}),
        new Promise((resolve) => setTimeout(resolve, SHUTDOWN_MS).unref()),
      ]);
    },
  };
}
