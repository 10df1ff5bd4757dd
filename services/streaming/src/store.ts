import type { HistoryStore } from "./history/history-store.js";
import type { JobStore } from "./ingest/job-store.js";
import type { SessionStore } from "./playback/session-store.js";

/**
 * The streaming service's storage: the three slices' ports on one backend.
 * Each slice owns its adapters (playback/session-store-*, history/history-store-*,
 * ingest/job-store-*); store-cassandra.ts and store-embedded.ts put them on one
 * client or database.
 */
export interface StreamingStore extends SessionStore, HistoryStore, JobStore {
  close(): Promise<void>;
}

interface Slices {
  sessions: SessionStore;
  history: HistoryStore;
  jobs: JobStore;
}

/** A StreamingStore made of one adapter per slice; the backend's composer frees what they share on close. */
export abstract class ComposedStreamingStore implements StreamingStore {
  readonly #slices: Slices;

  protected constructor(slices: Slices) {
    this.#slices = slices;
  }

  abstract close(): Promise<void>;

  reserveSlot(...a: Parameters<SessionStore["reserveSlot"]>) {
    return this.#slices.sessions.reserveSlot(...a);
  }
  renewSlot(...a: Parameters<SessionStore["renewSlot"]>) {
    return this.#slices.sessions.renewSlot(...a);
  }
  releaseSlot(...a: Parameters<SessionStore["releaseSlot"]>) {
    return this.#slices.sessions.releaseSlot(...a);
  }
  countSlots(...a: Parameters<SessionStore["countSlots"]>) {
    return this.#slices.sessions.countSlots(...a);
  }
  slotHolder(...a: Parameters<SessionStore["slotHolder"]>) {
    return this.#slices.sessions.slotHolder(...a);
  }
  putSession(...a: Parameters<SessionStore["putSession"]>) {
    return this.#slices.sessions.putSession(...a);
  }
  getSession(...a: Parameters<SessionStore["getSession"]>) {
    return this.#slices.sessions.getSession(...a);
  }

  recordProgress(...a: Parameters<HistoryStore["recordProgress"]>) {
    return this.#slices.history.recordProgress(...a);
  }
  getProgress(...a: Parameters<HistoryStore["getProgress"]>) {
    return this.#slices.history.getProgress(...a);
  }
  listProgress(...a: Parameters<HistoryStore["listProgress"]>) {
    return this.#slices.history.listProgress(...a);
  }
  listHistory(...a: Parameters<HistoryStore["listHistory"]>) {
    return this.#slices.history.listHistory(...a);
  }
  removeTitle(...a: Parameters<HistoryStore["removeTitle"]>) {
    return this.#slices.history.removeTitle(...a);
  }
  eraseProfile(...a: Parameters<HistoryStore["eraseProfile"]>) {
    return this.#slices.history.eraseProfile(...a);
  }

  createIngestJob(...a: Parameters<JobStore["createIngestJob"]>) {
    return this.#slices.jobs.createIngestJob(...a);
  }
  updateIngestJob(...a: Parameters<JobStore["updateIngestJob"]>) {
    return this.#slices.jobs.updateIngestJob(...a);
  }
  claimIngestJob(...a: Parameters<JobStore["claimIngestJob"]>) {
    return this.#slices.jobs.claimIngestJob(...a);
  }
  getIngestJob(...a: Parameters<JobStore["getIngestJob"]>) {
    return this.#slices.jobs.getIngestJob(...a);
  }
  listUnfinishedIngestJobs() {
    return this.#slices.jobs.listUnfinishedIngestJobs();
  }
}
