/**
 * One dash.js playback: throughput-based ABR (BOLA off) capped at the plan,
 * start at the resume position, signed-URL renewal, retries on network loss,
 * and a log of ABR decisions and stalls that the stats overlay, the
 * heartbeats, the tests and the benchmark read.
 */
import type { MediaPlayerClass, MediaPlayerSettingClass, Representation } from "dashjs";
import type { Cap } from "./cap.js";
import type { HeartbeatState, PlayerReading } from "./heartbeats.js";
import { rebaseUrl, renewAt } from "./urls.js";

/** "throughput": our setting (throughput rule only). "default": dash.js's stock ABR (BOLA + throughput). */
export type AbrMode = "throughput" | "default";

export interface AbrEvent {
  /** performance.now() of the event. */
  t: number;
  type: "requested" | "rendered";
  fromId: string;
  toId: string;
  toHeight: number;
  toBitrateBps: number;
  reason: string;
}

/** What the tests and the benchmark read from `window.__marquee.playback`. */
export interface PlaybackLog {
  abrMode: AbrMode;
  abr: AbrEvent[];
  /** performance.now() when play was asked for, and when the first frame was shown. */
  playRequestedAt: number;
  /** Where playback was asked to start (the resume position), seconds. */
  startSeconds: number;
  firstFrameAt: number | undefined;
  /** Stalls after the first frame. */
  stalls: { start: number; end: number | undefined }[];
  renewals: number;
  networkRetries: number;
  errors: string[];
  cap: Cap;
}

export type PlaybackStatus =
  | { kind: "loading" }
  | { kind: "playing" }
  | { kind: "paused" }
  | { kind: "buffering" }
  | { kind: "reconnecting"; attempt: number; inSeconds: number }
  | { kind: "ended" }
  | { kind: "failed"; message: string };

export interface PlaybackOptions {
  video: HTMLVideoElement;
  manifestUrl: string;
  manifestExpireMs: number | undefined;
  startSeconds: number;
  cap: Cap;
  abr: AbrMode;
  /** Seconds of media to buffer ahead (dash.js default when undefined); tests and the benchmark shorten it. */
  bufferSeconds?: number | undefined;
  /** RenewManifestUrl: a fresh signed URL and its expiry. */
  renew: () => Promise<{ url: string; expireMs: number | undefined }>;
  onStatus: (status: PlaybackStatus) => void;
  onQuality?: (rep: Representation) => void;
}

type DashModule = typeof import("dashjs");

function throughputSettings(
  mode: AbrMode,
  cap: Cap,
  bufferSeconds: number | undefined,
): MediaPlayerSettingClass {
  const rules =
    mode === "throughput"
      ? {
          throughputRule: { active: true },
          bolaRule: { active: false },
          insufficientBufferRule: { active: true },
          switchHistoryRule: { active: true },
          droppedFramesRule: { active: true },
          abandonRequestsRule: { active: true },
          l2ARule: { active: false },
          loLPRule: { active: false },
        }
      : {};
  return {
    streaming: {
      abr: {
        autoSwitchBitrate: { video: true, audio: true },
        maxBitrate: { video: cap.maxBitrateKbps, audio: -1 },
        limitBitrateByPortal: false,
        rules,
      },
      buffer: {
        fastSwitchEnabled: true,
        ...(bufferSeconds
          ? {
              bufferTimeDefault: bufferSeconds,
              bufferTimeAtTopQuality: bufferSeconds,
              bufferTimeAtTopQualityLongForm: bufferSeconds,
            }
          : {}),
      },
      retryAttempts: { MPD: 4, MediaSegment: 4, InitializationSegment: 4 },
      retryIntervals: { MPD: 1000, MediaSegment: 1000, InitializationSegment: 1000 },
    },
  };
}

export class Playback {
  readonly log: PlaybackLog;
  readonly #opts: PlaybackOptions;
  readonly #dash: DashModule;
  #player: MediaPlayerClass | undefined;
  #originalUrl: string;
  #currentUrl: string;
  #renewTimer: ReturnType<typeof setTimeout> | undefined;
  #renewing: Promise<void> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #retryAttempt = 0;
  #destroyed = false;
  #seeking = false;
  /** The video representation on screen (dash.js's "current" one is the one being downloaded). */
  #rendered: Representation | null = null;
  readonly #cleanup: (() => void)[] = [];

  constructor(dash: DashModule, opts: PlaybackOptions) {
    this.#dash = dash;
    this.#opts = opts;
    this.#originalUrl = opts.manifestUrl;
    this.#currentUrl = opts.manifestUrl;
    this.log = {
      abrMode: opts.abr,
      abr: [],
      playRequestedAt: performance.now(),
      startSeconds: opts.startSeconds,
      firstFrameAt: undefined,
      stalls: [],
      renewals: 0,
      networkRetries: 0,
      errors: [],
      cap: opts.cap,
    };
  }

  get player(): MediaPlayerClass | undefined {
    return this.#player;
  }

  /** Loads the manifest and starts playing at the resume position. */
  start(): void {
    this.#listenToVideo();
    this.#attach(this.#opts.startSeconds);
    this.#scheduleRenewal(this.#opts.manifestExpireMs);
    const online = () => {
      if (this.#retryTimer !== undefined) this.#retryNow();
    };
    window.addEventListener("online", online);
    this.#cleanup.push(() => window.removeEventListener("online", online));
  }

  #attach(startSeconds: number): void {
    const { MediaPlayer } = this.#dash;
    const player = MediaPlayer().create();
    this.#player = player;
    const { cap, abr } = this.#opts;
    player.updateSettings({ debug: { logLevel: this.#dash.Debug.LOG_LEVEL_WARNING } });
    player.updateSettings(throughputSettings(abr, cap, this.#opts.bufferSeconds));
    if (Number.isFinite(cap.maxHeight)) {
      // Audio representations have no height; only video ones above the cap are filtered out.
      player.registerCustomCapabilitiesFilter((rep) => !(rep.height > 0) || rep.height <= cap.maxHeight);
    }
    player.addRequestInterceptor(async (req) => {
      req.url = rebaseUrl(req.url, this.#originalUrl, this.#currentUrl);
      return req;
    });
    player.addResponseInterceptor(async (res) => {
      if (res.status === 403 && !this.#destroyed) void this.renewNow();
      return res;
    });
    const events = MediaPlayer.events;
    player.on(events.QUALITY_CHANGE_REQUESTED, (e) => {
      if (e.mediaType !== "video") return;
      this.#pushAbr("requested", e.oldRepresentation, e.newRepresentation, e.reason?.name ?? "");
    });
    player.on(events.QUALITY_CHANGE_RENDERED, (e) => {
      if (e.mediaType !== "video") return;
      this.#rendered = e.newRepresentation;
      this.#pushAbr("rendered", e.oldRepresentation, e.newRepresentation, "");
      this.#opts.onQuality?.(e.newRepresentation);
    });
    player.on(events.ERROR, (e) =>
      this.#onError(e as unknown as { error?: { code?: number; message?: string } }),
    );
    player.on(events.PLAYBACK_ERROR, (e) => {
      this.log.errors.push(`playback: ${(e as { error?: { message?: string } }).error?.message ?? "error"}`);
    });
    player.initialize(this.#opts.video, this.#currentUrl, true, startSeconds);
  }

  #pushAbr(type: AbrEvent["type"], from: Representation | null, to: Representation | null, reason: string) {
    this.log.abr.push({
      t: performance.now(),
      type,
      fromId: from?.id ?? "",
      toId: to?.id ?? "",
      toHeight: to?.height ?? 0,
      toBitrateBps: to?.bandwidth ?? 0,
      reason,
    });
  }

  #listenToVideo(): void {
    const video = this.#opts.video;
    const on = (type: string, fn: () => void) => {
      video.addEventListener(type, fn);
      this.#cleanup.push(() => video.removeEventListener(type, fn));
    };
    const firstFrame = () => {
      if (this.log.firstFrameAt !== undefined) return;
      this.log.firstFrameAt = performance.now();
      // dash.js reports switches, not the first choice: record what the first frame plays.
      if (!this.log.abr.some((e) => e.type === "rendered")) {
        let rep: Representation | null = null;
        try {
          rep = this.#player?.getCurrentRepresentationForType("video") ?? null;
        } catch {
          rep = null;
        }
        if (rep) {
          this.#rendered = rep;
          this.#pushAbr("rendered", null, rep, "initial");
        }
      }
    };
    if ("requestVideoFrameCallback" in video) {
      video.requestVideoFrameCallback(() => firstFrame());
    }
    on("playing", () => {
      firstFrame();
      this.#endStall();
      this.#retryAttempt = 0;
      this.#opts.onStatus({ kind: "playing" });
    });
    on("waiting", () => {
      if (this.log.firstFrameAt !== undefined && !this.#seeking) {
        const last = this.log.stalls.at(-1);
        if (!last || last.end !== undefined)
          this.log.stalls.push({ start: performance.now(), end: undefined });
      }
      this.#opts.onStatus({ kind: "buffering" });
    });
    on("seeking", () => {
      this.#seeking = true;
    });
    on("seeked", () => {
      this.#seeking = false;
    });
    on("pause", () => {
      if (!video.ended) this.#opts.onStatus({ kind: "paused" });
    });
    on("ended", () => this.#opts.onStatus({ kind: "ended" }));
  }

  #endStall(): void {
    const last = this.log.stalls.at(-1);
    if (last && last.end === undefined) last.end = performance.now();
  }

  #onError(e: { error?: { code?: number; message?: string } }): void {
    const code = e.error?.code ?? 0;
    const message = e.error?.message ?? "playback error";
    this.log.errors.push(`${code}: ${message}`);
    // Download failures (manifest, segments, init) after dash.js's own retries: the network is gone or the URL died.
    const download = [10, 11, 17, 25, 26, 27, 28, 29, 31].includes(code);
    if (download) this.#scheduleRetry();
    else if (code >= 20 && code < 25) this.#opts.onStatus({ kind: "failed", message });
  }

  #scheduleRetry(): void {
    if (this.#destroyed || this.#retryTimer !== undefined) return;
    this.#retryAttempt += 1;
    const inSeconds = Math.min(30, 2 ** Math.min(this.#retryAttempt, 5));
    this.#opts.onStatus({ kind: "reconnecting", attempt: this.#retryAttempt, inSeconds });
    this.#retryTimer = setTimeout(() => this.#retryNow(), inSeconds * 1000);
  }

  #retryNow(): void {
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    if (this.#destroyed) return;
    this.log.networkRetries += 1;
    const at = this.#opts.video.currentTime || this.#opts.startSeconds;
    // The URL may have expired while offline: renew first, then reload the manifest where we were.
    void this.renewNow()
      .catch(() => undefined)
      .then(() => {
        if (this.#destroyed) return;
        this.#player?.destroy();
        this.#rendered = null;
        this.#originalUrl = this.#currentUrl;
        this.#attach(at);
      });
  }

  #scheduleRenewal(expireMs: number | undefined): void {
    if (this.#renewTimer !== undefined) clearTimeout(this.#renewTimer);
    if (expireMs === undefined) return;
    const at = renewAt(Date.now(), expireMs);
    this.#renewTimer = setTimeout(() => void this.renewNow(), Math.max(1_000, at - Date.now()));
  }

  /** Asks for a fresh signed URL (once, however many 403s arrive); later requests use it. */
  renewNow(): Promise<void> {
    this.#renewing ??= this.#opts
      .renew()
      .then(({ url, expireMs }) => {
        this.#currentUrl = url;
        this.log.renewals += 1;
        this.#scheduleRenewal(expireMs);
      })
      .finally(() => {
        this.#renewing = undefined;
      });
    return this.#renewing;
  }

  /** The figures of the stats overlay and the heartbeats. */
  reading(): PlayerReading & { height: number; width: number } {
    const video = this.#opts.video;
    const player = this.#player;
    let rep: Representation | null = null;
    let buffer = 0;
    let throughputKbps = 0;
    try {
      rep = this.#rendered ?? player?.getCurrentRepresentationForType("video") ?? null;
      buffer = player?.getBufferLength("video") ?? 0;
      throughputKbps = player?.getAverageThroughput("video") ?? 0;
    } catch {
      // Not ready yet (before the stream is initialised).
    }
    const quality = video.getVideoPlaybackQuality?.();
    let state: HeartbeatState = "playing";
    if (video.ended) state = "stopped";
    else if (this.#seeking || video.seeking) state = "seeking";
    else if (video.paused) state = "paused";
    else if (video.readyState < 3) state = "buffering";
    return {
      positionSeconds: video.currentTime,
      state,
      renditionId: rep?.id ?? "",
      bitrateBps: rep?.bandwidth ?? 0,
      bufferSeconds: Number.isFinite(buffer) ? buffer : 0,
      droppedFrames: quality?.droppedVideoFrames ?? 0,
      throughputBps: Number.isFinite(throughputKbps) ? throughputKbps * 1000 : 0,
      height: rep?.height ?? video.videoHeight,
      width: rep?.width ?? video.videoWidth,
    };
  }

  destroy(): void {
    this.#destroyed = true;
    if (this.#renewTimer !== undefined) clearTimeout(this.#renewTimer);
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    for (const fn of this.#cleanup.splice(0)) fn();
    this.#player?.destroy();
    this.#player = undefined;
  }
}
