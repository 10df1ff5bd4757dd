import { create } from "@bufbuild/protobuf";
import { durationMs, timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import type { PlaybackReading, PlaybackReport } from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import {
  type GetQoeSummaryResponse,
  GetQoeSummaryResponseSchema,
  PlaybackState,
  type QoeGroup,
  QoeGroupSchema,
  QoeMinuteSchema,
  type QoeSession,
  QoeSessionSchema,
} from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import { addTo, type Contribution, merge, newTally, type Tally, toFigures } from "./figures.js";

const MINUTE_MS = 60_000;

export interface QoeLimits {
  /** How far back minutes are kept (and the longest window a summary covers). */
  horizonMs: number;
  /** Sessions remembered at most; the least recently reported is forgotten first. */
  maxSessions: number;
  /** The longest gap between two readings of a session counted as watched (a longer one: readings were lost). */
  maxGapMs: number;
  /** A session with a reading this recent (and not stopped) is playing now. */
  activeMs: number;
  /** Groups listed at most per dimension. */
  maxGroups: number;
}

const DEFAULT_QOE_LIMITS: QoeLimits = {
  horizonMs: 3 * 3_600_000,
  maxSessions: 100_000,
  maxGapMs: 60_000,
  activeMs: 60_000,
  maxGroups: 50,
};

/** What the aggregate remembers of a session between its readings. */
interface SessionState {
  sessionId: string;
  contentId: string;
  country: string;
  lastAtMs: number;
  lastSequence: bigint;
  state: PlaybackState;
  renditionId: string;
  bitrateBps: number;
  droppedFrames: number;
  rebufferMs: number;
  startupMs: number | undefined;
  tally: Tally;
}

type GroupKind = "title" | "rendition" | "country";
const ALL = "all";

/** The tally of one minute: the whole, and per title, rendition and country. */
type Minute = Map<string, Tally>;

const groupKey = (kind: GroupKind, key: string) => `${kind}:${key}`;

/**
 * Quality of experience from PLAYBACK reports, in memory: per-minute tallies
 * (overall and by title, rendition and country) kept for `horizonMs`, and the
 * last state of each session, bounded by `maxSessions`. Readings carry
 * counters since the session started (dropped frames, stalled time), so a
 * reading adds the change since the session's previous one; time between two
 * readings counts as watched when the earlier said playing or buffering, and
 * its bitrate as played when it said playing. Everything a reading adds goes
 * to the minute of its event time and to the rendition that was playing. A
 * reading at or before the last one seen of its session (a redelivery) adds
 * nothing. Per process: see the README, "QoE view".
 */
export class QoeAggregate {
  readonly #limits: QoeLimits;
  readonly #minutes = new Map<number, Minute>();
  /** In order of their last reading (re-inserted on each), so the first is the one to forget. */
  readonly #sessions = new Map<string, SessionState>();
  #prunedAt = 0;

  constructor(limits: Partial<QoeLimits> = {}) {
    this.#limits = { ...DEFAULT_QOE_LIMITS, ...limits };
  }

  get horizonMs(): number {
    return this.#limits.horizonMs;
  }

  /** Adds a report's readings (`readingsOf(report)`), as of `now`. */
  add(report: PlaybackReport, readings: readonly PlaybackReading[], now: number): void {
    if (report.sessionId === "") return;
    this.#prune(now);
    for (const r of readings) this.#addReading(report, r, now);
  }

  #addReading(report: PlaybackReport, r: PlaybackReading, now: number): void {
    const at = Math.min(r.eventTime ? timestampMs(r.eventTime) : now, now);
    if (at < now - this.#limits.horizonMs) return;
    const prev = this.#sessions.get(report.sessionId);
    if (prev !== undefined && this.#seen(prev, r, at)) return;
    const s = prev ?? this.#newSession(report);
    const elapsed = prev === undefined ? 0 : Math.min(Math.max(0, at - prev.lastAtMs), this.#limits.maxGapMs);
    const watching = prev?.state === PlaybackState.PLAYING || prev?.state === PlaybackState.BUFFERING;
    const rebuffer = r.rebufferDuration === undefined ? undefined : durationMs(r.rebufferDuration);
    const dropped = Number(r.droppedFrames);
    const startup = r.startupDuration === undefined ? undefined : durationMs(r.startupDuration);
    const interval = prev?.renditionId || r.renditionId;
    const c: Contribution = {
      sessionId: s.sessionId,
      watchMs: watching ? elapsed : 0,
      playedMs: prev?.state === PlaybackState.PLAYING ? elapsed : 0,
      bitrateBps: prev?.bitrateBps ?? 0,
      rebufferMs: rebuffer === undefined ? 0 : Math.max(0, rebuffer - s.rebufferMs),
      droppedFrames: Math.max(0, dropped - s.droppedFrames),
      switches: prev?.renditionId && r.renditionId && r.renditionId !== prev.renditionId ? 1 : 0,
      startupMs: s.startupMs === undefined ? startup : undefined,
    };
    const minute = this.#minute(Math.floor(at / MINUTE_MS) * MINUTE_MS);
    const keys = [ALL, groupKey("country", s.country)];
    if (s.contentId !== "") keys.push(groupKey("title", s.contentId));
    if (interval !== "") keys.push(groupKey("rendition", interval));
    for (const key of keys) {
      const tally = minute.get(key) ?? newTally();
      minute.set(key, tally);
      addTo(tally, c);
    }
    addTo(s.tally, c);

    s.lastAtMs = Math.max(s.lastAtMs, at);
    if (r.sequence > s.lastSequence) s.lastSequence = r.sequence;
    s.state = r.state;
    if (r.renditionId !== "") {
      s.renditionId = r.renditionId;
      s.bitrateBps = Number(r.bitrateBps);
    }
    s.droppedFrames = Math.max(s.droppedFrames, dropped);
    if (rebuffer !== undefined) s.rebufferMs = Math.max(s.rebufferMs, rebuffer);
    if (startup !== undefined) s.startupMs ??= startup;
    this.#sessions.delete(s.sessionId);
    this.#sessions.set(s.sessionId, s);
  }

  /** A reading this session already had: by sequence, or (pause, resume and stop carry 0) by time and state. */
  #seen(s: SessionState, r: PlaybackReading, at: number): boolean {
    if (r.sequence > 0n) return r.sequence <= s.lastSequence;
    return at < s.lastAtMs || (at === s.lastAtMs && r.state === s.state);
  }

  #newSession(report: PlaybackReport): SessionState {
    if (this.#sessions.size >= this.#limits.maxSessions) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest !== undefined) this.#sessions.delete(oldest);
    }
    return {
      sessionId: report.sessionId,
      contentId: report.contentId,
      country: report.country,
      lastAtMs: Number.NEGATIVE_INFINITY,
      lastSequence: 0n,
      state: PlaybackState.UNSPECIFIED,
      renditionId: "",
      bitrateBps: 0,
      droppedFrames: 0,
      rebufferMs: 0,
      startupMs: undefined,
      tally: newTally(),
    };
  }

  #minute(start: number): Minute {
    const minute = this.#minutes.get(start) ?? new Map<string, Tally>();
    this.#minutes.set(start, minute);
    return minute;
  }

  /** Forgets minutes and sessions past the horizon, at most once a minute. */
  #prune(now: number): void {
    if (now - this.#prunedAt < MINUTE_MS) return;
    this.#prunedAt = now;
    const oldest = now - this.#limits.horizonMs;
    for (const start of this.#minutes.keys()) if (start + MINUTE_MS <= oldest) this.#minutes.delete(start);
    for (const [id, s] of this.#sessions) {
      if (s.lastAtMs >= oldest) break;
      this.#sessions.delete(id);
    }
  }

  /** The last `windowMs` (whole minutes, the current one included) as of `now`. */
  summary(windowMs: number, sessionLimit: number, now: number): GetQoeSummaryResponse {
    const current = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    const count = Math.max(1, Math.min(Math.ceil(windowMs / MINUTE_MS), this.#limits.horizonMs / MINUTE_MS));
    const first = current - (count - 1) * MINUTE_MS;
    const total = newTally();
    const groups = new Map<string, Tally>();
    const minutes = [];
    for (let start = first; start <= current; start += MINUTE_MS) {
      const minute = this.#minutes.get(start);
      const all = minute?.get(ALL) ?? newTally();
      merge(total, all);
      minutes.push(create(QoeMinuteSchema, { startTime: timestampFromMs(start), figures: toFigures(all) }));
      for (const [key, tally] of minute ?? []) {
        if (key === ALL) continue;
        const group = groups.get(key);
        if (group === undefined) groups.set(key, merge(newTally(), tally));
        else merge(group, tally);
      }
    }
    const sessions = [...this.#sessions.values()].filter((s) => s.lastAtMs >= first);
    return create(GetQoeSummaryResponseSchema, {
      startTime: timestampFromMs(first),
      endTime: timestampFromMs(now),
      concurrentSessions: sessions.filter(
        (s) => s.lastAtMs >= now - this.#limits.activeMs && s.state !== PlaybackState.STOPPED,
      ).length,
      total: toFigures(total),
      minutes,
      titles: this.#groups(groups, "title"),
      renditions: this.#groups(groups, "rendition"),
      countries: this.#groups(groups, "country"),
      sessions: sessions
        .sort((a, b) => b.lastAtMs - a.lastAtMs)
        .slice(0, sessionLimit)
        .map(toSession),
    });
  }

  #groups(groups: Map<string, Tally>, kind: GroupKind): QoeGroup[] {
    const prefix = `${kind}:`;
    return [...groups]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([, a], [, b]) => b.sessions.size - a.sessions.size || b.watchMs - a.watchMs)
      .slice(0, this.#limits.maxGroups)
      .map(([key, tally]) =>
        create(QoeGroupSchema, { key: key.slice(prefix.length), figures: toFigures(tally) }),
      );
  }
}

function toSession(s: SessionState): QoeSession {
  return create(QoeSessionSchema, {
    sessionId: s.sessionId,
    contentId: s.contentId,
    country: s.country,
    renditionId: s.renditionId,
    state: s.state,
    lastReadingTime: timestampFromMs(s.lastAtMs),
    figures: toFigures(s.tally),
  });
}
