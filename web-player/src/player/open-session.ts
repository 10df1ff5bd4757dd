/**
 * Opening a playback session (StreamContent). The details page asks for it
 * as soon as the member's intent is clear — the pointer on Play, or focus on
 * it, before the click lands and the player screen is drawn — and the player
 * screen takes that call instead of making its own. A session asked for and
 * not taken within UNCLAIMED_MS is stopped, so it does not hold one of the
 * plan's streams; after that the same title is not opened early again for
 * COOLDOWN_MS (a pointer wandering over Play opens no stream of sessions).
 */
import { durationMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@marquee/sdk/browser";
import type { StreamContentResponse } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import { api, baseUrl, session } from "../lib/api.js";
import { deviceId } from "../lib/device.js";
import { friendlyError, playbackRefusal, titleUnavailable } from "../lib/errors.js";
import { planCap } from "./cap.js";
import { firstRendition, firstSegmentUrls, prefetch, SEGMENT_SECONDS_GUESS } from "./prefetch.js";
import { knownThroughput } from "./preload.js";

/** A session opened early and not taken within this long is stopped. */
const UNCLAIMED_MS = 10_000;
const COOLDOWN_MS = 30_000;

interface Early {
  key: string;
  call: Promise<StreamContentResponse>;
  timer: ReturnType<typeof setTimeout>;
}

let early: Early | undefined;
let dropped: { key: string; at: number } | undefined;

const keyOf = (contentId: string, episodeId: string) => `${contentId}/${episodeId}`;

function streamContent(contentId: string, episodeId: string): Promise<StreamContentResponse> {
  const profileId = session.profile?.profileId ?? "";
  return api.streaming.streamContent({ profileId, contentId, episodeId, deviceId: deviceId() });
}

/** Starts StreamContent now for a title the member is about to play (once per title). */
export function openSessionEarly(contentId: string, episodeId = ""): void {
  const key = keyOf(contentId, episodeId);
  if (early?.key === key) return;
  if (dropped?.key === key && Date.now() - dropped.at < COOLDOWN_MS) return;
  dropEarly();
  const call = streamContent(contentId, episodeId);
  // The manifest and first segments too, so the click finds them in the cache.
  call.then(
    (res) => prefetchFirstSegments(res),
    () => undefined,
  );
  early = { key, call, timer: setTimeout(dropEarly, UNCLAIMED_MS) };
}

function dropEarly(): void {
  const unclaimed = early;
  early = undefined;
  if (!unclaimed) return;
  dropped = { key: unclaimed.key, at: Date.now() };
  clearTimeout(unclaimed.timer);
  unclaimed.call.then((res) => api.streaming.stopStream({ sessionId: res.sessionId })).catch(() => undefined);
}

function prefetchFirstSegments(res: StreamContentResponse): void {
  const renditions = res.renditions.map((r) => ({
    renditionId: r.renditionId,
    bitrateBps: Number(r.bitrateBps),
  }));
  const first = firstRendition(
    renditions,
    planCap(res.renditions, res.maxQuality).maxBitrateKbps,
    knownThroughput(),
  );
  if (!first) return;
  const startSeconds = res.resumePosition ? Number(durationMs(res.resumePosition)) / 1000 : 0;
  prefetch(
    firstSegmentUrls(
      new URL(res.manifestUrl, baseUrl).toString(),
      first.renditionId,
      startSeconds,
      SEGMENT_SECONDS_GUESS,
    ),
  );
}

/** The session for this title: the one opened early if there is one, else a new StreamContent call. */
export function openSession(contentId: string, episodeId = ""): Promise<StreamContentResponse> {
  if (early?.key === keyOf(contentId, episodeId)) {
    const { call, timer } = early;
    clearTimeout(timer);
    early = undefined;
    // Refused early (say another screen was still playing then): ask again now.
    return call.catch(() => streamContent(contentId, episodeId));
  }
  return streamContent(contentId, episodeId);
}

/** What to tell the member when StreamContent fails, and where they can go from there. */
export function streamErrorMessage(err: unknown): {
  title: string;
  detail: string;
  action?: { label: string; href: string; primary: boolean };
} {
  const e = err instanceof ConnectError ? err : undefined;
  if (e?.code === Code.ResourceExhausted) {
    return {
      title: "Too many screens at once",
      detail: `${e.rawMessage ? `${e.rawMessage}. ` : ""}Stop playback on another device, or upgrade your plan to watch on more screens.`,
      action: { label: "See plans", href: "/account", primary: false },
    };
  }
  const refused = playbackRefusal(err);
  if (refused) return refused;
  const unavailable = titleUnavailable(err);
  const home = unavailable?.next[0];
  if (unavailable && home) {
    return { title: unavailable.title, detail: unavailable.detail, action: { ...home, primary: true } };
  }
  const f = friendlyError(err);
  return { title: f.title, detail: f.detail };
}
