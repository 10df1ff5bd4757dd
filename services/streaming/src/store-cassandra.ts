import type { Client } from "cassandra-driver";
import { CassandraHistoryStore } from "./history/history-store-cassandra.js";
import { CassandraJobStore } from "./ingest/job-store-cassandra.js";
import { CassandraSessionStore } from "./playback/session-store-cassandra.js";
import { ComposedStreamingStore } from "./store.js";

/** The Cassandra adapter (keyspace marquee_streaming, see migrations.ts): the slices' adapters on one client. */
export class CassandraStreamingStore extends ComposedStreamingStore {
  readonly #client: Client;
  readonly #ownsClient: boolean;

  constructor(client: Client, ownsClient = true) {
    super({
      sessions: new CassandraSessionStore(client),
      history: new CassandraHistoryStore(client),
      jobs: new CassandraJobStore(client),
    });
    this.#client = client;
    this.#ownsClient = ownsClient;
  }

  get client(): Client {
    return this.#client;
  }

  async close() {
    if (this.#ownsClient) await this.#client.shutdown();
  }
}
