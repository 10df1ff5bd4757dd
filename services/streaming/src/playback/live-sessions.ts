import { LRUCache } from "lru-cache";
import type { SessionStore } from "./session-store.js";

/**
 * Whether a session may still fetch media. "live": open and holding its
 * stream slot. "lapsed": open, but its slot's lease ran out (no heartbeat for
 * MARQUEE_STREAM_SLOT_LEASE_MS); a heartbeat or a URL renewal that retakes a
 * slot makes it live again. "ended": stopped, or unknown; never live again.
 */
export type SessionState = "live" | "lapsed" | "ended";

/** The session's state as the store has it now: the same slot rules StreamContent and heartbeats use. */
export async function readSessionState(
  store: Pick<SessionStore, "getSession" | "slotHolder">,
  sessionId: string,
): Promise<SessionState> {
  const session = await store.getSession(sessionId);
  if (session === undefined || session.ended) return "ended";
  return (await store.slotHolder(session.userId, session.slot)) === sessionId ? "live" : "lapsed";
}

export interface LiveSessionsOptions {
  /** How long a live or lapsed state read from the store is trusted: the grace another replica's stop gets. */
  checkMs: number;
  /** Sessions remembered at most (least recently asked about go first). */
  max?: number;
}

/** An ended session never comes back, so that answer is kept long: URLs of stopped sessions cost no reads. */
const ENDED_MS = 10 * 60_000;
const DEFAULT_MAX = 100_000;

/**
 * The media origin's view of session states, so a segment request costs a
 * cache lookup and not a store read: each state is read at most once per
 * `checkMs` per process (concurrent requests share the read). A stop or a
 * retaken slot in this process updates it at once; another process learns of
 * them from the store within `checkMs`.
 */
export class LiveSessions {
  readonly #cache: LRUCache<string, SessionState>;

  constructor(read: (sessionId: string) => Promise<SessionState>, opts: LiveSessionsOptions) {
    this.#cache = new LRUCache<string, SessionState>({
      max: opts.max ?? DEFAULT_MAX,
      ttl: opts.checkMs,
      fetchMethod: async (sessionId, _stale, { options }) => {
        const state = await read(sessionId);
        if (state === "ended") options.ttl = ENDED_MS;
        return state;
      },
    });
  }

  /** The session's state, at most `checkMs` old. Rejects when the store cannot be read. */
  async state(sessionId: string): Promise<SessionState> {
    try {
      const state = await this.#cache.fetch(sessionId);
      if (state !== undefined) return state;
    } catch {
      // A read overtaken by ended() or changed() is dropped and rejects its waiters: ask again,
      // which finds what replaced it (or reads afresh). A store that fails twice fails the request.
    }
    const state = await this.#cache.fetch(sessionId);
    if (state === undefined) throw new Error(`no state read for session ${sessionId}`);
    return state;
  }

  /** The session was stopped here: its media is refused from now on. */
  ended(sessionId: string): void {
    this.#cache.set(sessionId, "ended", { ttl: ENDED_MS });
  }

  /** The session took a slot again here: read it afresh at the next request. */
  changed(sessionId: string): void {
    this.#cache.delete(sessionId);
  }
}
