import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** The RPC metrics every server exports on /metrics, labelled per service and method. */
export interface RpcMetrics {
  registry: Registry;
  calls: Counter<"service" | "method" | "code">;
  errors: Counter<"service" | "method" | "code">;
  latency: Histogram<"service" | "method">;
}

export function createRpcMetrics(component: string): RpcMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ component });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    calls: new Counter({
      name: "marquee_rpc_calls_total",
      help: "RPCs handled, by final status code",
      labelNames: ["service", "method", "code"],
      registers: [registry],
    }),
    errors: new Counter({
      name: "marquee_rpc_errors_total",
      help: "RPCs that ended in an error, by status code",
      labelNames: ["service", "method", "code"],
      registers: [registry],
    }),
    latency: new Histogram({
      name: "marquee_rpc_duration_seconds",
      help: "Time from request to last response message",
      labelNames: ["service", "method"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}
