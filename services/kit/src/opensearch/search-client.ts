import { Client } from "@opensearch-project/opensearch";
import type { BackendsConfig } from "../backends-config.js";
import { traceOpenSearch } from "../tracing/opensearch.js";
import { tracerFor } from "../tracing/state.js";

export type { Client as SearchClient };

/**
 * A client of the configured cluster; while the process traces, each of its requests is a span.
 * With several nodes it takes turns and, on a connection error, retries on another node and
 * leaves the dead one out until it answers again (the client's connection pool does this).
 */
export function createSearchClient(config: BackendsConfig["opensearch"]): Client {
  const client = new Client({ nodes: config.nodes });
  const tracer = tracerFor("opensearch");
  if (tracer !== undefined) traceOpenSearch(client, tracer);
  return client;
}

/**
 * Index templates give every generation of an aliased index the same
 * settings and mappings: `<alias>-*` matches them all.
 */
export async function putIndexTemplate(
  client: Client,
  alias: string,
  template: Record<string, unknown>,
): Promise<void> {
  await client.indices.putIndexTemplate({
    name: `${alias}-template`,
    body: { index_patterns: [`${alias}-*`], template },
  });
}

/** The indices the alias points at now. */
export async function aliasTargets(client: Client, alias: string): Promise<string[]> {
  const exists = await client.indices.existsAlias({ name: alias });
  if (!exists.body) return [];
  const res = await client.indices.getAlias({ name: alias });
  return Object.keys(res.body as Record<string, unknown>);
}

/**
 * Makes sure the alias points at an index, creating the first generation
 * (`<alias>-000001`) if needed. The fixed first name makes concurrent starts
 * safe: only one create can succeed, the other sees it exists.
 */
export async function ensureAliasedIndex(client: Client, alias: string): Promise<string> {
  const current = await aliasTargets(client, alias);
  if (current[0] !== undefined) return current[0];
  const first = `${alias}-000001`;
  try {
    await client.indices.create({ index: first, body: { aliases: { [alias]: {} } } });
  } catch (err) {
    // A concurrent start created it first; the alias came with it.
    if (
      !JSON.stringify((err as { body?: unknown }).body ?? null).includes("resource_already_exists_exception")
    )
      throw err;
  }
  return first;
}

/** A new, empty generation of the index to rebuild into; the alias still serves the old one. */
export async function createNextGeneration(client: Client, alias: string): Promise<string> {
  const name = `${alias}-${Date.now()}`;
  await client.indices.create({ index: name });
  return name;
}

/**
 * Points the alias at the new generation in one atomic step (readers never
 * see an empty or half-built index) and deletes the old generations.
 */
export async function swapAlias(client: Client, alias: string, next: string): Promise<void> {
  const previous = await aliasTargets(client, alias);
  await client.indices.refresh({ index: next });
  await client.indices.updateAliases({
    body: {
      actions: [...previous.map((index) => ({ remove: { index, alias } })), { add: { index: next, alias } }],
    },
  });
  const stale = previous.filter((index) => index !== next);
  if (stale.length > 0) await client.indices.delete({ index: stale.join(",") });
}
