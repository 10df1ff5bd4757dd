import { types } from "cassandra-driver";
import { CassandraAdapter, num, str, withContentionRetry } from "../cassandra-shared.js";
import type { SessionRecord, SessionStore } from "./session-store.js";

const ttlSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

const Q = {
  reserve: "INSERT INTO stream_slots (user_id, slot, session_id) VALUES (?, ?, ?) IF NOT EXISTS USING TTL ?",
  renew:
    "UPDATE stream_slots USING TTL ? SET session_id = ? WHERE user_id = ? AND slot = ? IF session_id = ?",
  release: "DELETE FROM stream_slots WHERE user_id = ? AND slot = ? IF session_id = ?",
  count: "SELECT slot, session_id FROM stream_slots WHERE user_id = ?",
  holder: "SELECT session_id FROM stream_slots WHERE user_id = ? AND slot = ?",
  putSession: `INSERT INTO sessions (session_id, user_id, profile_id, content_id, episode_id, device_id, asset_id,
    duration_ms, max_height, max_streams, slot, start_time, country, ended) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?`,
  getSession: "SELECT * FROM sessions WHERE session_id = ?",
} as const;

/**
 * Sessions and stream slots on Cassandra (tables sessions and stream_slots of
 * marquee_streaming). Slots are claimed with lightweight transactions (Paxos
 * per account partition), so parallel StreamContent calls cannot both take
 * the last one; a slot's lease is its row's TTL.
 */
export class CassandraSessionStore extends CassandraAdapter implements SessionStore {
  async reserveSlot(userId: string, sessionId: string, maxStreams: number, leaseMs: number) {
    for (let slot = 0; slot < maxStreams; slot++) {
      const rs = await withContentionRetry(() =>
        this.exec(Q.reserve, [userId, slot, sessionId, ttlSeconds(leaseMs)]),
      );
      if (rs.wasApplied()) return slot;
      // A retried write may find its own earlier success.
      if (str(rs.first()?.session_id) === sessionId) return slot;
    }
    return undefined;
  }

  async renewSlot(userId: string, slot: number, sessionId: string, leaseMs: number) {
    const rs = await withContentionRetry(() =>
      this.exec(Q.renew, [ttlSeconds(leaseMs), sessionId, userId, slot, sessionId]),
    );
    return rs.wasApplied();
  }

  async releaseSlot(userId: string, slot: number, sessionId: string) {
    await withContentionRetry(() => this.exec(Q.release, [userId, slot, sessionId]));
  }

  async countSlots(userId: string) {
    const rs = await this.exec(Q.count, [userId]);
    return rs.rows.filter((r) => r.session_id !== null).length;
  }

  async slotHolder(userId: string, slot: number) {
    const row = (await this.exec(Q.holder, [userId, slot])).first();
    const holder = str(row?.session_id);
    return holder === "" ? undefined : holder;
  }

  async putSession(s: SessionRecord, ttlMs: number) {
    await this.exec(Q.putSession, [
      s.sessionId,
      s.userId,
      s.profileId,
      s.contentId,
      s.episodeId,
      s.deviceId,
      s.assetId,
      types.Long.fromNumber(s.durationMs),
      s.maxHeight,
      s.maxStreams,
      s.slot,
      s.startTime,
      s.country,
      s.ended,
      ttlSeconds(ttlMs),
    ]);
  }

  async getSession(sessionId: string): Promise<SessionRecord | undefined> {
    const row = (await this.exec(Q.getSession, [sessionId])).first();
    if (!row) return undefined;
    return {
      sessionId: str(row.session_id),
      userId: str(row.user_id),
      profileId: str(row.profile_id),
      contentId: str(row.content_id),
      episodeId: str(row.episode_id),
      deviceId: str(row.device_id),
      assetId: str(row.asset_id),
      durationMs: num(row.duration_ms),
      maxHeight: num(row.max_height),
      maxStreams: num(row.max_streams),
      slot: num(row.slot),
      startTime: row.start_time as Date,
      country: str(row.country),
      ended: row.ended === true,
    };
  }
}
