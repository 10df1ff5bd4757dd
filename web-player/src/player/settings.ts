/**
 * The dash.js settings of a playback. "marquee" is our ABR: dash.js's own
 * quality rules off and our rule (abr-rule.ts, registered through the
 * custom-rule API) deciding alone; abandoning a segment that will arrive too
 * late stays dash.js's. "default" is stock dash.js, for comparison. Both are
 * capped at the plan; neither reads navigator.connection (dash.js's
 * `useNetworkInformationApi` is off by default and stays off).
 */
import type { MediaPlayerSettingClass } from "dashjs";
import type { Cap } from "./cap.js";

/** "marquee": our rule. "default": dash.js's stock ABR (BOLA + throughput, its own buffer targets). */
export type AbrMode = "marquee" | "default";

/**
 * Buffer targets of our ABR, seconds. A deeper buffer than dash.js's 18 s lets the rule
 * run closer to the link (its safety margin narrows as the buffer fills) and rides out a
 * sharp drop while the next segments come at a lower rendition; at the top rendition
 * there is nothing better to fetch, so it goes a little further.
 */
const BUFFER_TARGET_SECONDS = 30;
const BUFFER_AT_TOP_SECONDS = 45;

export interface SettingsInput {
  mode: AbrMode;
  cap: Cap;
  /** Shorter buffer targets (tests, benchmark), seconds. */
  bufferSeconds: number | undefined;
  /** Bitrate of the first video segment, kbit/s (ours only; -1: dash.js decides). */
  initialKbps: number;
}

const OUR_RULES = {
  throughputRule: { active: false },
  bolaRule: { active: false },
  insufficientBufferRule: { active: false },
  switchHistoryRule: { active: false },
  droppedFramesRule: { active: false },
  l2ARule: { active: false },
  loLPRule: { active: false },
  abandonRequestsRule: { active: true },
};

export function dashSettings(s: SettingsInput): MediaPlayerSettingClass {
  const ours = s.mode === "marquee";
  const target = s.bufferSeconds ?? (ours ? BUFFER_TARGET_SECONDS : undefined);
  const atTop = s.bufferSeconds ?? (ours ? BUFFER_AT_TOP_SECONDS : undefined);
  return {
    streaming: {
      abr: {
        autoSwitchBitrate: { video: true, audio: true },
        maxBitrate: { video: s.cap.maxBitrateKbps, audio: -1 },
        limitBitrateByPortal: false,
        ...(ours ? { rules: OUR_RULES, initialBitrate: { video: s.initialKbps, audio: -1 } } : {}),
      },
      buffer: {
        // Ours: no fast switching. After an up-switch it re-fetches segments already buffered at the new
        // rendition; on a link just wide enough for it (the benchmark's return from a sharp drop to 5 Mbps)
        // the buffer drained 14 s while segments it already had were fetched again, and the video froze.
        fastSwitchEnabled: !ours,
        ...(target !== undefined && atTop !== undefined
          ? {
              bufferTimeDefault: target,
              bufferTimeAtTopQuality: atTop,
              bufferTimeAtTopQualityLongForm: atTop,
            }
          : {}),
      },
      retryAttempts: { MPD: 4, MediaSegment: 4, InitializationSegment: 4 },
      retryIntervals: { MPD: 1000, MediaSegment: 1000, InitializationSegment: 1000 },
    },
  };
}
