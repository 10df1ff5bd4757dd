import { setTimeout as sleep } from "node:timers/promises";
import { ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { Health, HealthCheckResponse_ServingStatus as Status } from "@marquee/sdk/grpc/health/v1/health_pb";
import type { Logger } from "pino";
import { envs } from "./config.js";

/** Thrown when a service this one needs is still not serving at the deadline. */
export class DependencyError extends Error {
  override name = "DependencyError";
}

/** How long a service waits at start for what it depends on (MARQUEE_DEPENDENCY_TIMEOUT_MS, default 2 min). */
export const dependencyVars = { MARQUEE_DEPENDENCY_TIMEOUT_MS: envs.millis(120_000) };

export interface Dependency {
  /** Short name, e.g. "content": MARQUEE_CONTENT_URL says where it is. */
  name: string;
  url: string;
  /** The gRPC service whose health is asked, e.g. ContentService.typeName. */
  service: string;
}

export interface WaitOptions {
  timeoutMs: number;
  log: Logger;
  signal?: AbortSignal;
}

/**
 * Resolves once `dep` answers SERVING to a gRPC health check. While it does
 * not (not listening yet, starting, draining), asks again with a backoff of
 * up to 1 s, having logged one warning line; after `timeoutMs` rejects with a
 * DependencyError naming it, its address and the last answer.
 */
export async function waitForDependency(dep: Dependency, o: WaitOptions): Promise<void> {
  const sessions = new Http2SessionManager(dep.url);
  const health = createClient(Health, createGrpcTransport({ baseUrl: dep.url, sessionManager: sessions }));
  const started = Date.now();
  let delayMs = 50;
  let warned = false;
  try {
    for (;;) {
      o.signal?.throwIfAborted();
      const left = started + o.timeoutMs - Date.now();
      let reason: string;
      try {
        const { status } = await health.check(
          { service: dep.service },
          { timeoutMs: Math.max(1, Math.min(2_000, left)), signal: o.signal },
        );
        if (status === Status.SERVING) {
          if (warned)
            o.log.info({ dependency: dep.name, waitedMs: Date.now() - started }, `${dep.name} is serving`);
          return;
        }
        reason = `it answers ${Status[status]}`;
      } catch (err) {
        o.signal?.throwIfAborted();
        reason = ConnectError.from(err).rawMessage;
      }
      if (Date.now() + delayMs >= started + o.timeoutMs)
        throw new DependencyError(
          `${dep.name} at ${dep.url} is not serving after ${o.timeoutMs} ms (${reason}): start it, or point MARQUEE_${dep.name.toUpperCase()}_URL at it`,
        );
      if (!warned) {
        warned = true;
        o.log.warn(
          { dependency: dep.name, url: dep.url, reason, timeoutMs: o.timeoutMs },
          `waiting for ${dep.name} to serve`,
        );
      }
      await sleep(delayMs, undefined, { signal: o.signal });
      delayMs = Math.min(delayMs * 2, 1_000);
    }
  } finally {
    sessions.abort();
  }
}
