/**
 * Where each service listens by default on one host: the embedded run and the
 * gateway's upstream defaults read this one table. Override per process with
 * MARQUEE_<NAME>_PORT (service side) and MARQUEE_<NAME>_URL (gateway side).
 */
export const SERVICE_PORTS = {
  user: 7101,
  content: 7102,
  streaming: 7103,
  recommendation: 7104,
  account: 7105,
  feedback: 7106,
} as const;

export type ServiceName = keyof typeof SERVICE_PORTS;

export const SERVICE_NAMES = Object.keys(SERVICE_PORTS) as ServiceName[];

export const GATEWAY_PORT = 8080;

/** Processes that serve no RPCs of their own (health only; metrics on the admin port), with their default ports. */
export const WORKER_PORTS = {
  /** The streaming service's consumers (history writer, erasure) when run apart from it. */
  "streaming-consumers": 7113,
} as const;

/** MARQUEE_<NAME>_URL, or the service's default loopback address: how any process finds a service. */
export function serviceUrl(name: ServiceName, env: Record<string, string | undefined> = process.env): string {
  return env[`MARQUEE_${name.toUpperCase()}_URL`] ?? `http://127.0.0.1:${SERVICE_PORTS[name]}`;
}
