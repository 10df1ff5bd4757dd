import type { Client } from "cassandra-driver";

/** Base of the slices' Cassandra adapters: one client the composer shares between them. */
export abstract class CassandraAdapter {
  protected readonly client: Client;

  constructor(client: Client) {
    this.client = client;
  }

  protected exec(query: string, params: unknown[]) {
    return this.client.execute(query, params, { prepare: true });
  }
}

export const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
export const str = (v: unknown) => (v === null || v === undefined ? "" : String(v));

/** Conditional writes can time out under contention; the outcome is then unknown and worth one more look. */
export async function withContentionRetry<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await work();
    } catch (err) {
      const name = (err as { name?: string }).name ?? "";
      const timedOut = name === "ResponseError" && /timeout|contention/i.test(String((err as Error).message));
      if (!timedOut || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 20 * i + Math.random() * 30));
    }
  }
}
