/**
 * What the browser tests and the benchmark read from the page:
 * `window.__marquee` holds the session id, the playback log, each heartbeat
 * reading with whether a report of it was accepted, and the player status.
 */
import type { PlaybackLog, PlaybackStatus } from "./playback.js";
import type { ProbeBeat } from "./reporting.js";

export interface Probe {
  sessionId?: string;
  playback?: PlaybackLog;
  /** Each reading once, by sequence; ok once a report of it was accepted. */
  heartbeats: ProbeBeat[];
  reading?: () => unknown;
  status?: PlaybackStatus | { kind: string };
}

declare global {
  interface Window {
    __marquee?: Probe;
  }
}

/** A fresh probe for a new player screen. */
export function newProbe(): Probe {
  const probe: Probe = { heartbeats: [] };
  window.__marquee = probe;
  return probe;
}
