import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { z } from "zod";
import { envs, loadConfig } from "./config.js";

/** Where a process serves its operator endpoints (GET /metrics), apart from its RPC port. */
export interface AdminAddress {
  host: string;
  port: number;
}

/** How far above its RPC port a process's admin port is by default (gateway 8080 → 9080). */
const ADMIN_PORT_OFFSET = 1000;

/**
 * MARQUEE_<NAME>_ADMIN_HOST (default 127.0.0.1: only the machine itself) and
 * MARQUEE_<NAME>_ADMIN_PORT (default: the RPC port + 1000; any free port when
 * the RPC port is 0, as tests ask, or past 65535) for process `name`
 * ("gateway", "user", "streaming-consumers"…).
 */
export function loadAdminAddress(
  name: string,
  rpcPort: number,
  env: Record<string, string | undefined> = process.env,
): AdminAddress {
  const prefix = `MARQUEE_${name.toUpperCase().replaceAll("-", "_")}`;
  const config = loadConfig(
    {
      [`${prefix}_ADMIN_HOST`]: envs.host(),
      [`${prefix}_ADMIN_PORT`]: z.coerce.number().int().min(0).max(65535).optional(),
    },
    env,
  );
  const derived = rpcPort === 0 || rpcPort + ADMIN_PORT_OFFSET > 65535 ? 0 : rpcPort + ADMIN_PORT_OFFSET;
  return {
    host: config[`${prefix}_ADMIN_HOST`] as string,
    port: (config[`${prefix}_ADMIN_PORT`] as number | undefined) ?? derived,
  };
}

export interface AdminListener {
  /** e.g. http://127.0.0.1:9080 (the bound port, useful with port 0). */
  url: string;
  close(): Promise<void>;
}

/**
 * The admin listener: Prometheus metrics at GET /metrics over plain HTTP/1.1,
 * on its own port so the RPC port (the gateway's is public) never shows them.
 * Anything else is 404.
 */
export async function serveAdmin(
  address: AdminAddress,
  registry: Registry,
  log: Logger,
): Promise<AdminListener> {
  const server = http.createServer((req, res) => {
    if (req.method !== "GET" || req.url?.split("?", 1)[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Not found\n");
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { "content-type": registry.contentType }).end(body),
      (err: unknown) => {
        log.error({ err }, "metrics collection failed");
        res.writeHead(500).end();
      },
    );
  });
  server.listen(address.port, address.host);
  await Promise.race([
    once(server, "listening"),
    once(server, "error").then(([err]) => {
      throw err;
    }),
  ]);
  const { port } = server.address() as AddressInfo;
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  log.info({ host: address.host, port }, "serving metrics at /metrics");
  return {
    url: `http://${host}:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}
