import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { requireMember } from "@marquee/kit";
import type { LiveSessions } from "./live-sessions.js";
import { ownSession } from "./session-access.js";
import type { SessionRecord, SessionStore } from "./session-store.js";

/** How long a session read from the store is trusted without reading it again (another instance may stop it). */
const SESSION_CACHE_MS = 30_000;
const SESSION_CACHE_SIZE = 100_000;
const STOPPED = "this playback session was stopped; start a new one";

export interface LiveSlotsDeps {
  store: Pick<SessionStore, "getSession" | "putSession" | "renewSlot" | "reserveSlot" | "releaseSlot">;
  /** The media origin's session states: told at once when a session stops or takes a slot again here. */
  liveSessions: Pick<LiveSessions, "ended" | "changed">;
  settings: { slotLeaseMs: number; sessionTtlMs: number };
  now: () => number;
}

/** This replica's view of its playback sessions: a short-lived session cache and the stream slots they hold. */
export function liveSlots(deps: LiveSlotsDeps) {
  const { store, settings, now } = deps;
  /** When each session last renewed its slot (renewal runs every third of the lease, not every beat). */
  const renewedAt = new Map<string, number>();
  /** Sessions read recently: a heartbeat needs no store read (entries live SESSION_CACHE_MS). */
  const sessions = new Map<string, { session: SessionRecord; until: number }>();
  const getSession = async (sessionId: string) => {
    const hit = sessions.get(sessionId);
    if (hit !== undefined && hit.until > now()) return { ...hit.session };
    const session = await store.getSession(sessionId);
    if (session !== undefined) remember(session);
    return session;
  };
  const remember = (session: SessionRecord) => {
    if (sessions.size >= SESSION_CACHE_SIZE) sessions.clear();
    sessions.set(session.sessionId, { session: { ...session }, until: now() + SESSION_CACHE_MS });
  };
  const saveSession = async (session: SessionRecord) => {
    await store.putSession(session, settings.sessionTtlMs);
    remember(session);
  };

  return {
    saveSession,

    /** A session just started holds a freshly reserved slot. */
    started(sessionId: string) {
      renewedAt.set(sessionId, now());
    },

    /** True when the caller's session is stopped already (it must be theirs: NotFound or PermissionDenied otherwise). */
    async stopped(ctx: HandlerContext, sessionId: string): Promise<boolean> {
      return ownSession(requireMember(ctx), await getSession(sessionId)).ended;
    },

    /** The caller's live session, or the error that explains why not. */
    async liveSession(ctx: HandlerContext, sessionId: string): Promise<SessionRecord> {
      const caller = requireMember(ctx);
      const session = ownSession(caller, await getSession(sessionId));
      if (session.ended) throw new ConnectError(STOPPED, Code.FailedPrecondition);
      return session;
    },

    /**
     * Keeps the session's slot; a lapsed slot is taken again if one is free. The session is read
     * afresh first: the cached copy may predate a stop on another replica, which must not be undone.
     */
    async keepSlot(session: SessionRecord) {
      const last = renewedAt.get(session.sessionId) ?? 0;
      if (now() - last < settings.slotLeaseMs / 3) return;
      const held = await store.renewSlot(
        session.userId,
        session.slot,
        session.sessionId,
        settings.slotLeaseMs,
      );
      if (!held) {
        const stored = await store.getSession(session.sessionId);
        if (stored === undefined || stored.ended) {
          sessions.delete(session.sessionId);
          throw new ConnectError(STOPPED, Code.FailedPrecondition);
        }
        const slot = await store.reserveSlot(
          session.userId,
          session.sessionId,
          session.maxStreams,
          settings.slotLeaseMs,
        );
        if (slot === undefined) {
          throw new ConnectError(
            `this session went quiet too long and all ${session.maxStreams} streams of your plan are now in use; stop playback on another device`,
            Code.ResourceExhausted,
          );
        }
        if (slot !== stored.slot) await saveSession({ ...stored, slot });
        else remember(stored);
        session.slot = slot;
        deps.liveSessions.changed(session.sessionId);
      }
      renewedAt.set(session.sessionId, now());
      if (renewedAt.size > 100_000) renewedAt.clear();
    },

    /** Marks the session ended, refuses its media and frees its stream slot (StopStream, or a STOPPED reading). */
    async endSession(session: SessionRecord) {
      await saveSession({ ...session, ended: true });
      deps.liveSessions.ended(session.sessionId);
      await store.releaseSlot(session.userId, session.slot, session.sessionId);
      renewedAt.delete(session.sessionId);
    },
  };
}

export type LiveSlots = ReturnType<typeof liveSlots>;
