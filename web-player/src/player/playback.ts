/**
 * One dash.js playback: our ABR rule (or dash.js's stock ABR) capped at the
 * plan, a first rendition chosen from the throughput the app already
 * measured, start at the resume position, signed-URL renewal, retries on
 * network loss, and a log of ABR decisions and rebuffers (stalls and video
 * freezes) that the stats overlay, the heartbeats, the tests and the
 * benchmark read. The engine only: no DOM besides the video element.
 */
import type { MediaPlayerClass, Representation } from "dashjs";
import type { AbrDecision } from "./abr-rule.js";
import type { Cap } from "./cap.js";
import { marqueeRuleFactory, RULE_NAME } from "./dash-rule.js";
import type { HeartbeatState, PlayerReading } from "./heartbeats.js";
import { firstRendition, firstSegmentUrls, prefetch, SEGMENT_SECONDS_GUESS } from "./prefetch.js";
import { type Rebuffer, RebufferLog, SAMPLE_MS } from "./rebuffers.js";
import { type AbrMode, dashSettings } from "./settings.js";
import { LinkMeter, type SegmentRequest } from "./throughput.js";
import { rebaseUrl, renewAt } from "./urls.js";

export type { AbrMode } from "./settings.js";

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
  /** Rebuffers after the first frame: stalls (`waiting`) and video freezes. */
  stalls: Rebuffer[];
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
  /** The allowed video renditions (StreamContent's), to pick the first one before the manifest is read. */
  renditions: { renditionId: string; bitrateBps: number }[];
  /** Throughput the app measured before playback (bits/s), if any. */
  startEstimateBps: number | undefined;
  /** Seconds of media to buffer ahead (the ABR's own targets when undefined); tests and the benchmark shorten it. */
  bufferSeconds?: number | undefined;
  /** RenewManifestUrl: a fresh signed URL and its expiry. */
  renew: () => Promise<{ url: string; expireMs: number | undefined }>;
  onStatus: (status: PlaybackStatus) => void;
  onQuality?: (rep: Representation) => void;
  /** A rebuffer began (after the first frame). */
  onRebuffer?: (r: Rebuffer) => void;
  /** A measured segment download (bits/s), for the app's next start. */
  onThroughput?: (bps: number) => void;
  /** Each dash.js player once initialized, before its manifest arrives (a new one after a reconnect): track choices go here. */
  onPlayer?: (player: MediaPlayerClass) => void;
}

/** What the stats overlay shows beyond a heartbeat reading. */
export interface PlaybackStats extends PlayerReading {
  height: number;
  width: number;
  targetId: string;
  targetHeight: number;
  targetBitrateBps: number;
  abrReason: string;
  rebuffers: number;
  rebufferMs: number;
}

type DashModule = typeof import("dashjs");

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
  #sampleTimer: ReturnType<typeof setInterval> | undefined;
  #retryAttempt = 0;
  #destroyed = false;
  #seeking = false;
  /** The video representation on screen (dash.js's "current" one is the one being downloaded). */
  #rendered: Representation | null = null;
  #target: { rep: Representation; decision: AbrDecision } | undefined;
  readonly #link = new LinkMeter();
  readonly #rebuffers: RebufferLog;
  readonly #cleanup: (() => void)[] = [];

  constructor(dash: DashModule, opts: PlaybackOptions) {
    this.#dash = dash;
    this.#opts = opts;
    this.#originalUrl = opts.manifestUrl;
    this.#currentUrl = opts.manifestUrl;
    this.#rebuffers = new RebufferLog((r) => {
      if (r.kind === "freeze") this.#opts.onStatus({ kind: "buffering" });
      this.#opts.onRebuffer?.(r);
    });
    this.log = {
      abrMode: opts.abr,
      abr: [],
      playRequestedAt: performance.now(),
      startSeconds: opts.startSeconds,
      firstFrameAt: undefined,
      stalls: this.#rebuffers.events,
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
    const first = this.#firstRendition();
    if (first) {
      prefetch(
        firstSegmentUrls(this.#currentUrl, first.renditionId, this.#opts.startSeconds, SEGMENT_SECONDS_GUESS),
      );
    }
    this.#listenToVideo();
    this.#attach(this.#opts.startSeconds);
    this.#scheduleRenewal(this.#opts.manifestExpireMs);
    const online = () => {
      if (this.#retryTimer !== undefined) this.#retryNow();
    };
    window.addEventListener("online", online);
    this.#cleanup.push(() => window.removeEventListener("online", online));
    this.#sampleTimer = setInterval(() => this.#sample(), SAMPLE_MS);
  }

  /** The first video rendition, from the throughput known before any segment (ours only). */
  #firstRendition(): { renditionId: string; bitrateBps: number } | undefined {
    if (this.#opts.abr !== "marquee") return undefined;
    const estimate = this.#link.estimateBps ?? this.#opts.startEstimateBps;
    return firstRendition(this.#opts.renditions, this.#opts.cap.maxBitrateKbps, estimate);
  }

  #attach(startSeconds: number): void {
    const { MediaPlayer } = this.#dash;
    const player = MediaPlayer().create();
    this.#player = player;
    const { cap, abr } = this.#opts;
    player.updateSettings({ debug: { logLevel: this.#dash.Debug.LOG_LEVEL_WARNING } });
    // dash.js starts at the highest rendition at or below this bitrate: the one chosen (and prefetched).
    const first = this.#firstRendition();
    player.updateSettings(
      dashSettings({
        mode: abr,
        cap,
        bufferSeconds: this.#opts.bufferSeconds,
        initialKbps: first ? Math.ceil(first.bitrateBps / 1000) : -1,
      }),
    );
    if (abr === "marquee") {
      player.addABRCustomRule(
        "qualitySwitchRules",
        RULE_NAME,
        marqueeRuleFactory({
          throughputBps: () => this.#link.bps(),
          latencyMs: () => this.#link.latencyMs,
          bufferSeconds: () => this.#videoBuffer(),
          audioBps: () => this.#audioBps(),
          decided: (decision, rep) => {
            this.#target = { rep, decision };
          },
        }),
      );
    }
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
      this.#pushAbr("requested", e.oldRepresentation, e.newRepresentation, this.#reasonOf(e.reason));
    });
    player.on(events.QUALITY_CHANGE_RENDERED, (e) => {
      if (e.mediaType !== "video") return;
      this.#rendered = e.newRepresentation;
      this.#pushAbr("rendered", e.oldRepresentation, e.newRepresentation, "");
      this.#opts.onQuality?.(e.newRepresentation);
    });
    player.on(events.FRAGMENT_LOADING_COMPLETED, (e) => this.#measure(e.request, true));
    player.on(events.FRAGMENT_LOADING_ABANDONED, (e) => this.#measure(e.request, true));
    player.on(events.FRAGMENT_LOADING_PROGRESS, (e) =>
      this.#measure((e as { request?: unknown }).request, false),
    );
    player.on(events.ERROR, (e) =>
      this.#onError(e as unknown as { error?: { code?: number; message?: string } }),
    );
    player.on(events.PLAYBACK_ERROR, (e) => {
      this.log.errors.push(`playback: ${(e as { error?: { message?: string } }).error?.message ?? "error"}`);
    });
    player.initialize(this.#opts.video, this.#currentUrl, true, startSeconds);
    this.#opts.onPlayer?.(player);
  }

  #reasonOf(reason: unknown): string {
    const r = reason as { name?: string; message?: string; rule?: string } | null | undefined;
    return r?.message ?? r?.name ?? r?.rule ?? "";
  }

  /** A video segment download's progress or end feeds the link meter; the app keeps the estimate for next time. */
  #measure(request: unknown, ended: boolean): void {
    const bps = this.#link.observe(request as SegmentRequest | undefined, ended, Date.now());
    if (bps !== undefined) this.#opts.onThroughput?.(bps);
  }

  #videoBuffer(): number {
    try {
      const b = this.#player?.getBufferLength("video") ?? 0;
      return Number.isFinite(b) ? b : 0;
    } catch {
      return 0;
    }
  }

  #audioBps(): number {
    try {
      return this.#player?.getCurrentRepresentationForType("audio")?.bandwidth ?? 0;
    } catch {
      return 0;
    }
  }

  #sample(): void {
    if (this.log.firstFrameAt === undefined) return;
    const video = this.#opts.video;
    const wasFrozen = this.#rebuffers.frozen;
    this.#rebuffers.sample({
      t: performance.now(),
      frames: video.getVideoPlaybackQuality?.().totalVideoFrames ?? 0,
      videoAheadSeconds: this.#videoBuffer(),
      playing: !video.paused && !video.seeking && !video.ended && !this.#seeking,
    });
    if (wasFrozen && !this.#rebuffers.frozen && !video.paused) this.#opts.onStatus({ kind: "playing" });
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
      this.#rebuffers.stallEnded(performance.now());
      this.#retryAttempt = 0;
      this.#opts.onStatus({ kind: "playing" });
    });
    on("waiting", () => {
      if (this.log.firstFrameAt !== undefined && !this.#seeking)
        this.#rebuffers.stallStarted(performance.now());
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

  /** The figures of the heartbeats: a video freeze reads as buffering. */
  reading(): PlayerReading {
    const s = this.stats();
    return {
      positionSeconds: s.positionSeconds,
      state: s.state,
      renditionId: s.renditionId,
      bitrateBps: s.bitrateBps,
      bufferSeconds: s.bufferSeconds,
      droppedFrames: s.droppedFrames,
      throughputBps: s.throughputBps,
      rebufferMs: s.rebufferMs,
      startupMs:
        this.log.firstFrameAt === undefined ? undefined : this.log.firstFrameAt - this.log.playRequestedAt,
    };
  }

  /** The figures of the stats overlay. */
  stats(): PlaybackStats {
    const video = this.#opts.video;
    let rep: Representation | null = null;
    let throughputBps = this.#link.estimateBps ?? 0;
    try {
      rep = this.#rendered ?? this.#player?.getCurrentRepresentationForType("video") ?? null;
      if (this.#opts.abr === "default")
        throughputBps = (this.#player?.getAverageThroughput("video") ?? 0) * 1000;
    } catch {
      // Not ready yet (before the stream is initialised).
    }
    const quality = video.getVideoPlaybackQuality?.();
    let state: HeartbeatState = "playing";
    if (video.ended) state = "stopped";
    else if (this.#seeking || video.seeking) state = "seeking";
    else if (video.paused) state = "paused";
    else if (video.readyState < 3 || this.#rebuffers.frozen) state = "buffering";
    const target = this.#target?.rep ?? this.#targetFromDash();
    const totals = this.#rebuffers.totals(performance.now());
    return {
      positionSeconds: video.currentTime,
      state,
      renditionId: rep?.id ?? "",
      bitrateBps: rep?.bandwidth ?? 0,
      bufferSeconds: this.#videoBuffer(),
      droppedFrames: quality?.droppedVideoFrames ?? 0,
      throughputBps: Number.isFinite(throughputBps) ? throughputBps : 0,
      height: rep?.height ?? video.videoHeight,
      width: rep?.width ?? video.videoWidth,
      targetId: target?.id ?? "",
      targetHeight: target?.height ?? 0,
      targetBitrateBps: target?.bandwidth ?? 0,
      abrReason: this.#target?.decision.reason ?? "",
      rebuffers: totals.count,
      rebufferMs: totals.ms,
    };
  }

  #targetFromDash(): Representation | undefined {
    try {
      return this.#player?.getCurrentRepresentationForType("video") ?? undefined;
    } catch {
      return undefined;
    }
  }

  destroy(): void {
    this.#destroyed = true;
    if (this.#renewTimer !== undefined) clearTimeout(this.#renewTimer);
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    if (this.#sampleTimer !== undefined) clearInterval(this.#sampleTimer);
    for (const fn of this.#cleanup.splice(0)) fn();
    this.#player?.destroy();
    this.#player = undefined;
  }
}
