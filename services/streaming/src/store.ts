import type { HistoryStore } from "./history/history-store.js";
import type { JobStore } from "./ingest/job-store.js";
import type { SessionStore } from "./playback/session-store.js";

/**
 * The streaming service's storage: the three slices' ports on one backend.
 * Adapters: store-cassandra.ts (real) and store-embedded.ts (classic-level).
 */
export interface StreamingStore extends SessionStore, HistoryStore, JobStore {
  close(): Promise<void>;
}
