/** The playback slice's storage port: sessions and the stream slots they hold. */

/** An open playback session. */
export interface SessionRecord {
  sessionId: string;
  userId: string;
  profileId: string;
  contentId: string;
  /** Empty for a movie. */
  episodeId: string;
  deviceId: string;
  assetId: string;
  durationMs: number;
  /** Height cap of the plan when the session opened (0: none). */
  maxHeight: number;
  /** Concurrent streams the plan allowed when the session opened. */
  maxStreams: number;
  /** The account's stream slot the session holds. */
  slot: number;
  startTime: Date;
  /** ISO country of the viewer, when known. */
  country: string;
  /** True once stopped. */
  ended: boolean;
}

export interface SessionStore {
  /**
   * Takes a free stream slot of the account for the session, atomically: of
   * parallel callers at most `maxStreams` hold a slot at once. A slot not
   * renewed within `leaseMs` frees itself. Returns the slot, or undefined when
   * every slot is taken.
   */
  reserveSlot(
    userId: string,
    sessionId: string,
    maxStreams: number,
    leaseMs: number,
  ): Promise<number | undefined>;
  /** Extends the session's lease on its slot; false when the slot lapsed or went to another session. */
  renewSlot(userId: string, slot: number, sessionId: string, leaseMs: number): Promise<boolean>;
  /** Frees the slot if the session still holds it. */
  releaseSlot(userId: string, slot: number, sessionId: string): Promise<void>;
  /** Number of slots of the account held now. */
  countSlots(userId: string): Promise<number>;
  /** The session holding the account's slot now (its lease not lapsed), or undefined when it is free. */
  slotHolder(userId: string, slot: number): Promise<string | undefined>;

  /** Saves (or replaces) a session; it is forgotten after `ttlMs`. */
  putSession(session: SessionRecord, ttlMs: number): Promise<void>;
  getSession(sessionId: string): Promise<SessionRecord | undefined>;
}
