import { z } from "zod";
import { loadConfig } from "../config.js";

/**
 * Where spans go, read once per process: OTLP over HTTP (protobuf) to
 * OTEL_EXPORTER_OTLP_ENDPOINT's /v1/traces, as the OpenTelemetry spec says
 * for the shared endpoint; unset or empty, the process does not trace.
 * OTEL_SERVICE_NAME overrides the process's own name.
 */
export function loadTracingConfig(env: Record<string, string | undefined>) {
  const config = loadConfig(
    {
      OTEL_EXPORTER_OTLP_ENDPOINT: z
        .union([
          z.literal(""),
          z.url({ protocol: /^https?$/, error: "an http(s) URL such as http://otel-collector:4318" }),
        ])
        .default(""),
      OTEL_SERVICE_NAME: z.string().default(""),
    },
    env,
  );
  const endpoint = config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, "");
  return {
    tracesUrl: endpoint === "" ? undefined : `${endpoint}/v1/traces`,
    serviceName: config.OTEL_SERVICE_NAME === "" ? undefined : config.OTEL_SERVICE_NAME,
  };
}
