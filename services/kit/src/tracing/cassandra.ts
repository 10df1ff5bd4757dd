import { SpanKind, type Tracer } from "@opentelemetry/api";
import type { Client } from "cassandra-driver";
import { inSpan } from "./spans.js";

interface Statement {
  name: string;
  operation: string;
  collection?: string;
}

/** "INSERT playback_progress" for "INSERT INTO playback_progress (...)": low-cardinality span names. */
function statementOf(query: string): Statement {
  const operation = (/^\s*(\w+)/.exec(query)?.[1] ?? "CQL").toUpperCase();
  const collection = /\b(?:FROM|INTO|UPDATE)\s+([\w.]+)/i.exec(query)?.[1];
  return { name: collection === undefined ? operation : `${operation} ${collection}`, operation, collection };
}

type Execute = (query: string, params?: unknown, options?: unknown) => Promise<unknown>;
type Batch = (queries: unknown[], options?: unknown) => Promise<unknown>;

/**
 * Makes a client span of each promise-style execute and batch of this client.
 * Done here, on the one client openCassandra hands out, rather than by
 * @opentelemetry/instrumentation-cassandra-driver: that patches the driver
 * through require hooks, which an ES-module import of the driver does not go
 * through unless every process (and the test runner) starts with a loader.
 * Callback-style calls (none in Marquee) go through untraced.
 */
export function traceCassandra(client: Client, tracer: Tracer): void {
  const namespace = client.keyspace ?? "";
  const execute = client.execute.bind(client) as unknown as (...args: unknown[]) => unknown;
  const batch = client.batch.bind(client) as unknown as (...args: unknown[]) => unknown;
  const db = (operation: string, collection?: string, text?: string) => ({
    "db.system.name": "cassandra",
    "db.namespace": namespace,
    "db.operation.name": operation,
    ...(collection === undefined ? {} : { "db.collection.name": collection }),
    ...(text === undefined ? {} : { "db.query.text": text }),
  });
  const tracedExecute: Execute = (query, params, options) => {
    const s = statementOf(query);
    return inSpan(tracer, s.name, () => execute(query, params, options) as Promise<unknown>, {
      kind: SpanKind.CLIENT,
      attributes: db(s.operation, s.collection, query),
    });
  };
  const tracedBatch: Batch = (queries, options) =>
    inSpan(tracer, "BATCH", () => batch(queries, options) as Promise<unknown>, {
      kind: SpanKind.CLIENT,
      attributes: { ...db("BATCH"), "db.operation.batch.size": queries.length },
    });
  const callback = (args: unknown[]) => args.some((a) => typeof a === "function");
  Object.assign(client, {
    execute: (...args: unknown[]) =>
      callback(args) ? execute(...args) : tracedExecute(...(args as Parameters<Execute>)),
    batch: (...args: unknown[]) =>
      callback(args) ? batch(...args) : tracedBatch(...(args as Parameters<Batch>)),
  });
}
