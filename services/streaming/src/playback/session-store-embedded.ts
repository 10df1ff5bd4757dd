import { EmbeddedAdapter } from "../embedded-shared.js";
import type { SessionRecord, SessionStore } from "./session-store.js";

interface SlotRow {
  sessionId: string;
  until: number;
}

type StoredSession = Omit<SessionRecord, "startTime"> & { startTime: number; expires: number };

/**
 * Sessions and stream slots on classic-level (keys `slot!<user>!<slot>` and
 * `sess!<session>`), with the Cassandra adapter's semantics: a slot's lease
 * and a session's TTL are expiry times checked on read. Slot reservations run
 * one at a time through the store's write queue (one process owns the directory).
 */
export class EmbeddedSessionStore extends EmbeddedAdapter implements SessionStore {
  reserveSlot(userId: string, sessionId: string, maxStreams: number, leaseMs: number) {
    return this.serial(async () => {
      const now = Date.now();
      for (let slot = 0; slot < maxStreams; slot++) {
        const key = `slot!${userId}!${slot}`;
        const held = await this.get<SlotRow>(key);
        if (held === undefined || held.until <= now || held.sessionId === sessionId) {
          await this.db.put(key, JSON.stringify({ sessionId, until: now + leaseMs }));
          return slot;
        }
      }
      return undefined;
    });
  }

  renewSlot(userId: string, slot: number, sessionId: string, leaseMs: number) {
    return this.serial(async () => {
      const key = `slot!${userId}!${slot}`;
      const held = await this.get<SlotRow>(key);
      const now = Date.now();
      if (held === undefined || held.until <= now || held.sessionId !== sessionId) return false;
      await this.db.put(key, JSON.stringify({ sessionId, until: now + leaseMs }));
      return true;
    });
  }

  releaseSlot(userId: string, slot: number, sessionId: string) {
    return this.serial(async () => {
      const key = `slot!${userId}!${slot}`;
      const held = await this.get<SlotRow>(key);
      if (held?.sessionId === sessionId) await this.db.del(key);
    });
  }

  async countSlots(userId: string): Promise<number> {
    const now = Date.now();
    return (await this.prefix<SlotRow>(`slot!${userId}!`)).filter(([, s]) => s.until > now).length;
  }

  async slotHolder(userId: string, slot: number): Promise<string | undefined> {
    const held = await this.get<SlotRow>(`slot!${userId}!${slot}`);
    return held !== undefined && held.until > Date.now() ? held.sessionId : undefined;
  }

  async putSession(session: SessionRecord, ttlMs: number): Promise<void> {
    const stored: StoredSession = {
      ...session,
      startTime: session.startTime.getTime(),
      expires: Date.now() + ttlMs,
    };
    await this.db.put(`sess!${session.sessionId}`, JSON.stringify(stored));
  }

  async getSession(sessionId: string): Promise<SessionRecord | undefined> {
    const stored = await this.get<StoredSession>(`sess!${sessionId}`);
    if (stored === undefined || stored.expires <= Date.now()) return undefined;
    const { expires: _expires, ...rest } = stored;
    return { ...rest, startTime: new Date(stored.startTime) };
  }
}
