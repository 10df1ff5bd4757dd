/**
 * The player screen: opens a playback session (StreamContent), plays it with
 * dash.js (throughput ABR, capped at the plan), reports heartbeat readings, and shows
 * controls, a stats overlay ("i") and clear messages for every failure.
 */
import { type Duration, durationMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, PlaybackState } from "@marquee/sdk/browser";
import type { StreamContentResponse } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import { api, baseUrl, session } from "../lib/api.js";
import { getTitle } from "../lib/catalog.js";
import { deviceId } from "../lib/device.js";
import { h, ICONS, icon, replace } from "../lib/dom.js";
import { friendlyError } from "../lib/errors.js";
import { formatClock, statsLines } from "../lib/format.js";
import { navigate, router } from "../nav.js";
import { planCap } from "../player/cap.js";
import { type Heartbeat, HeartbeatScheduler } from "../player/heartbeats.js";
import { heartbeatsBody, keepaliveCall, keepaliveRoom, SEND_HEARTBEATS } from "../player/keepalive.js";
import { type AbrMode, Playback, type PlaybackStatus } from "../player/playback.js";
import { bare } from "../ui/shell.js";

const STATE: Record<Heartbeat["state"], PlaybackState> = {
  playing: PlaybackState.PLAYING,
  paused: PlaybackState.PAUSED,
  buffering: PlaybackState.BUFFERING,
  seeking: PlaybackState.SEEKING,
  stopped: PlaybackState.STOPPED,
};

type ProbeBeat = Heartbeat & { ok: boolean };

/** What tests and the benchmark read: the playback log, the readings reported, the session. */
interface Probe {
  sessionId?: string;
  playback?: Playback["log"];
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

function streamErrorMessage(err: unknown): { title: string; detail: string; action?: HTMLElement } {
  const e = err instanceof ConnectError ? err : undefined;
  if (e?.code === Code.ResourceExhausted) {
    return {
      title: "Too many screens at once",
      detail: `${e.rawMessage ? `${e.rawMessage}. ` : ""}Stop playback on another device, or upgrade your plan to watch on more screens.`,
      action: h("a", { class: "btn btn-secondary", href: "/account" }, "See plans"),
    };
  }
  if (e?.code === Code.FailedPrecondition) {
    return {
      title: "No active membership",
      detail: e.rawMessage || "Choose a plan to start watching.",
      action: h("a", { class: "btn btn-primary", href: "/plans?next=/" }, "Choose a plan"),
    };
  }
  const f = friendlyError(err);
  return { title: f.title, detail: f.detail };
}

export async function playerScreen(contentId: string, query: URLSearchParams): Promise<void> {
  const main = bare();
  const episodeId = query.get("episode") ?? "";
  const abr: AbrMode = query.get("abr") === "default" ? "default" : "throughput";
  const profileId = session.profile?.profileId ?? "";
  const probe: Probe = { heartbeats: [] };
  window.__marquee = probe;

  const video = h("video", { class: "video", playsinline: true, preload: "auto" });
  const titleEl = h("h1", { class: "player-title" }, "");
  const message = h("div", { class: "player-message", role: "status", "aria-live": "polite" });
  const stats = h("dl", { class: "stats", hidden: true, "aria-label": "Playback statistics" });
  const playBtn = h(
    "button",
    { type: "button", class: "icon-btn", "aria-label": "Play", title: "Play (k)" },
    icon(ICONS.play),
  );
  const back10 = h(
    "button",
    { type: "button", class: "icon-btn", "aria-label": "Back 10 seconds", title: "Back 10 s (←)" },
    icon(ICONS.replay10),
  );
  const seek = h("input", {
    type: "range",
    class: "seek",
    min: "0",
    max: "0",
    step: "1",
    value: "0",
    "aria-label": "Seek",
  });
  const time = h("span", { class: "time", "aria-hidden": "true" }, "0:00 / 0:00");
  const muteBtn = h(
    "button",
    { type: "button", class: "icon-btn", "aria-label": "Mute", title: "Mute (m)" },
    icon(ICONS.volume),
  );
  const statsBtn = h(
    "button",
    {
      type: "button",
      class: "icon-btn",
      "aria-label": "Stats for nerds",
      "aria-pressed": "false",
      title: "Stats (i)",
    },
    icon(ICONS.info),
  );
  const fsBtn = h(
    "button",
    { type: "button", class: "icon-btn", "aria-label": "Full screen", title: "Full screen (f)" },
    icon(ICONS.fullscreen),
  );
  const backLink = h(
    "a",
    { class: "icon-btn back", href: `/title/${contentId}`, "aria-label": "Back to details" },
    icon(ICONS.back),
  );
  const controls = h("div", { class: "controls" }, playBtn, back10, seek, time, muteBtn, statsBtn, fsBtn);
  const player = h(
    "div",
    { class: "player", tabindex: "-1", dataset: { state: "loading" } },
    video,
    h("div", { class: "player-top" }, backLink, titleEl),
    message,
    stats,
    controls,
  );
  main.appendChild(player);
  player.focus();

  const showMessage = (title: string, detail = "", action?: HTMLElement, spin = false) => {
    replace(
      message,
      spin ? h("div", { class: "spinner" }) : null,
      title ? h("h2", null, title) : null,
      detail ? h("p", null, detail) : null,
      action ?? null,
    );
    message.hidden = !title && !spin;
  };
  showMessage("", "", undefined, true);

  let disposed = false;
  const cleanups: (() => void)[] = [];
  router.onLeave(() => {
    disposed = true;
    for (const fn of cleanups.splice(0).reverse()) fn();
  });

  getTitle(contentId)
    .then((c) => {
      if (!c) return;
      const ep = c.seasons
        .flatMap((s) => s.episodes.map((e) => ({ s, e })))
        .find((x) => x.e.episodeId === episodeId);
      titleEl.textContent = ep
        ? `${c.title} · S${ep.s.seasonNumber}:E${ep.e.episodeNumber} ${ep.e.title}`
        : c.title;
      document.title = `${c.title} · Marquee`;
    })
    .catch(() => undefined);

  let stream: StreamContentResponse;
  try {
    stream = await api.streaming.streamContent({ profileId, contentId, episodeId, deviceId: deviceId() });
  } catch (err) {
    if (disposed) return;
    const m = streamErrorMessage(err);
    player.dataset.state = "error";
    probe.status = { kind: "failed" };
    showMessage(
      m.title,
      m.detail,
      m.action ?? h("a", { class: "btn btn-secondary", href: `/title/${contentId}` }, "Back"),
    );
    return;
  }
  if (disposed) return;
  const sessionId = stream.sessionId;
  probe.sessionId = sessionId;

  const dash = await import("dashjs");
  if (disposed) return;
  const cap = planCap(stream.renditions, stream.maxQuality);
  const resumeSeconds = stream.resumePosition ? Number(durationMs(stream.resumePosition)) / 1000 : 0;
  // ?t=<seconds> starts elsewhere than the resume position (?t=0: from the beginning).
  const tParam = Number(query.get("t"));
  const startSeconds = query.has("t") && Number.isFinite(tParam) && tParam >= 0 ? tParam : resumeSeconds;

  const playback = new Playback(dash, {
    video,
    manifestUrl: new URL(stream.manifestUrl, baseUrl).toString(),
    manifestExpireMs: stream.manifestExpireTime ? timestampMs(stream.manifestExpireTime) : undefined,
    startSeconds,
    cap,
    abr,
    bufferSeconds: Number(query.get("buffer")) > 0 ? Math.min(60, Number(query.get("buffer"))) : undefined,
    onQuality() {
      // Rendition switches are part of the playback record: report each at once.
      if (heartbeats.running) void heartbeats.beat("quality");
    },
    async renew() {
      const res = await api.streaming.renewManifestUrl({ sessionId });
      return {
        url: new URL(res.manifestUrl, baseUrl).toString(),
        expireMs: res.manifestExpireTime ? timestampMs(res.manifestExpireTime) : undefined,
      };
    },
    onStatus(status) {
      probe.status = status;
      player.dataset.state = status.kind;
      switch (status.kind) {
        case "buffering":
          showMessage("", "", undefined, true);
          break;
        case "reconnecting":
          showMessage(
            navigator.onLine ? "Connection problem" : "You're offline",
            `Retrying in ${status.inSeconds} s (attempt ${status.attempt})…`,
            undefined,
            true,
          );
          break;
        case "failed":
          showMessage(
            "Playback failed",
            status.message,
            h("a", { class: "btn btn-secondary", href: `/title/${contentId}` }, "Back"),
          );
          break;
        case "ended":
          showMessage("", "");
          void heartbeats.stop();
          break;
        default:
          showMessage("", "");
      }
      syncPlayButton();
    },
  });
  probe.playback = playback.log;
  probe.reading = () => playback.reading();

  // Readings go out together with SendHeartbeats: SDK calls normally, keepalive fetch when the page is going away.
  const heartbeats = new HeartbeatScheduler({
    intervalMs: millis(stream.heartbeatInterval) ?? 10_000,
    reportIntervalMs: millis(stream.reportInterval) ?? 20_000,
    now: () => Date.now(),
    read: () => playback.reading(),
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
    async send(beats, keepalive) {
      if (keepalive) {
        const final = beats.at(-1)?.state === "stopped";
        const { json, count } = heartbeatsBody(sessionId, beats, keepaliveRoom(final));
        if (count === 0) return { sent: 0 };
        const status = await keepaliveCall(baseUrl, SEND_HEARTBEATS, json, session.tokenNow());
        recordReport(probe.heartbeats, beats.slice(beats.length - count), status === 200);
        if (status !== 200) throw new Error(`keepalive report answered HTTP ${status}`);
        return { sent: count };
      }
      try {
        const res = await api.streaming.sendHeartbeats({ sessionId, readings: beats.map(toReading) });
        recordReport(probe.heartbeats, beats, true);
        return { intervalMs: millis(res.heartbeatInterval), reportIntervalMs: millis(res.reportInterval) };
      } catch (err) {
        recordReport(probe.heartbeats, beats, false);
        throw err;
      }
    },
    // No retry changes these: a reading the server refuses, or a session that is over.
    refused: (err) =>
      err instanceof ConnectError &&
      (err.code === Code.InvalidArgument ||
        err.code === Code.NotFound ||
        err.code === Code.FailedPrecondition),
    onError(err, beats) {
      if (!(err instanceof ConnectError)) return;
      if (err.code === Code.InvalidArgument) {
        console.warn(
          `heartbeat readings ${beats[0]?.sequence}–${beats.at(-1)?.sequence} refused, dropped:`,
          err.rawMessage,
        );
      }
      // A report refused because the session ended elsewhere (stream limit enforced later) stops playback.
      if (err.code === Code.NotFound || err.code === Code.FailedPrecondition) {
        video.pause();
        showMessage(
          "Playback stopped",
          err.rawMessage,
          h("a", { class: "btn btn-secondary", href: `/title/${contentId}` }, "Back"),
        );
      }
    },
  });

  let firstPlay = true;
  const position = () => secondsToDuration(video.currentTime);
  const onPlay = () => {
    if (firstPlay) {
      firstPlay = false;
      heartbeats.start();
      return;
    }
    void heartbeats.beat("play");
    api.streaming.resumeStream({ sessionId, position: position() }).catch(() => undefined);
  };
  const onPause = () => {
    if (video.ended || firstPlay) return;
    void heartbeats.beat("pause");
    api.streaming.pauseStream({ sessionId, position: position() }).catch(() => undefined);
  };
  const onSeeked = () => heartbeats.seeked();
  video.addEventListener("playing", onPlay);
  video.addEventListener("pause", onPause);
  video.addEventListener("seeked", onSeeked);

  const onPageHide = (event: PageTransitionEvent) => void heartbeats.pageHide(event.persisted);
  const onVisibility = () => {
    if (document.visibilityState === "hidden") void heartbeats.hidden();
  };
  window.addEventListener("pagehide", onPageHide);
  document.addEventListener("visibilitychange", onVisibility);

  cleanups.push(() => {
    window.removeEventListener("pagehide", onPageHide);
    document.removeEventListener("visibilitychange", onVisibility);
    video.removeEventListener("playing", onPlay);
    video.removeEventListener("pause", onPause);
    video.removeEventListener("seeked", onSeeked);
    const at = position();
    // stop()'s STOPPED reading ends the session. The page stays, so StopStream can wait for that report:
    // it ends the session if the scheduler never started or the reading was refused (StopStream goes by
    // the server's clock), and is refused itself otherwise.
    void heartbeats
      .stop()
      .then(() => api.streaming.stopStream({ sessionId, position: at }))
      .catch(() => undefined);
    playback.destroy();
    document.title = "Marquee";
  });

  // Autoplay may be refused without a gesture (e.g. after a reload): play muted and offer to unmute.
  video.addEventListener(
    "canplay",
    () => {
      if (!video.paused) return;
      video.play().catch(() => {
        video.muted = true;
        syncMute();
        video.play().catch(() => undefined);
      });
    },
    { once: true },
  );

  // Controls.
  const syncPlayButton = () => {
    const paused = video.paused;
    playBtn.replaceChildren(icon(paused ? ICONS.play : ICONS.pause));
    playBtn.setAttribute("aria-label", paused ? "Play" : "Pause");
  };
  const syncMute = () => {
    muteBtn.replaceChildren(icon(video.muted ? ICONS.muted : ICONS.volume));
    muteBtn.setAttribute("aria-label", video.muted ? "Unmute" : "Mute");
  };
  const toggle = () => (video.paused ? void video.play().catch(() => undefined) : video.pause());
  const skip = (s: number) => {
    video.currentTime = Math.max(
      0,
      Math.min(video.duration || Number.POSITIVE_INFINITY, video.currentTime + s),
    );
  };
  let dragging = false;
  const syncTime = () => {
    const d = Number.isFinite(video.duration) ? video.duration : 0;
    if (!dragging) {
      seek.max = String(Math.floor(d));
      seek.value = String(Math.floor(video.currentTime));
    }
    seek.setAttribute("aria-valuetext", `${formatClock(video.currentTime)} of ${formatClock(d)}`);
    time.textContent = `${formatClock(video.currentTime)} / ${formatClock(d)}`;
  };
  seek.addEventListener("input", () => {
    dragging = true;
    time.textContent = `${formatClock(Number(seek.value))} / ${formatClock(video.duration)}`;
  });
  seek.addEventListener("change", () => {
    dragging = false;
    video.currentTime = Number(seek.value);
  });
  video.addEventListener("timeupdate", syncTime);
  video.addEventListener("durationchange", syncTime);
  video.addEventListener("play", syncPlayButton);
  video.addEventListener("pause", syncPlayButton);
  video.addEventListener("volumechange", syncMute);
  video.addEventListener("click", toggle);
  playBtn.addEventListener("click", toggle);
  back10.addEventListener("click", () => skip(-10));
  muteBtn.addEventListener("click", () => {
    video.muted = !video.muted;
  });
  fsBtn.addEventListener("click", () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void player.requestFullscreen().catch(() => undefined);
  });

  const drawStats = () => {
    const r = playback.reading();
    stats.replaceChildren(
      ...statsLines({
        renditionId: r.renditionId,
        height: r.height,
        width: r.width,
        bitrateBps: r.bitrateBps,
        throughputBps: r.throughputBps,
        bufferSeconds: r.bufferSeconds,
        droppedFrames: r.droppedFrames,
        maxHeight: Number.isFinite(cap.maxHeight) ? cap.maxHeight : undefined,
      }).flatMap(([k, v]) => [h("dt", null, k), h("dd", null, v)]),
      h("dt", null, "ABR"),
      h("dd", null, abr === "throughput" ? "throughput rule" : "dash.js default"),
    );
  };
  let statsTimer: ReturnType<typeof setInterval> | undefined;
  const toggleStats = () => {
    stats.hidden = !stats.hidden;
    statsBtn.setAttribute("aria-pressed", String(!stats.hidden));
    if (statsTimer !== undefined) clearInterval(statsTimer);
    statsTimer = undefined;
    if (!stats.hidden) {
      drawStats();
      statsTimer = setInterval(drawStats, 1000);
    }
  };
  statsBtn.addEventListener("click", toggleStats);
  cleanups.push(() => {
    if (statsTimer !== undefined) clearInterval(statsTimer);
  });

  // Controls fade out while playing and nothing moves.
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const wake = () => {
    player.classList.remove("idle");
    if (idleTimer !== undefined) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (
        !video.paused &&
        !player.contains(document.activeElement === player ? null : document.activeElement)
      ) {
        player.classList.add("idle");
      }
    }, 3000);
  };
  player.addEventListener("mousemove", wake);
  player.addEventListener("focusin", wake);
  cleanups.push(() => {
    if (idleTimer !== undefined) clearTimeout(idleTimer);
  });

  const onKey = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement;
    if (target.tagName === "INPUT" && target !== seek) return;
    wake();
    switch (event.key) {
      case " ":
      case "k":
        if (target.tagName === "BUTTON" || target.tagName === "A") return;
        event.preventDefault();
        toggle();
        break;
      case "ArrowLeft":
        if (target === seek) return;
        event.preventDefault();
        skip(-10);
        break;
      case "ArrowRight":
        if (target === seek) return;
        event.preventDefault();
        skip(10);
        break;
      case "i":
      case "I":
        toggleStats();
        break;
      case "f":
        fsBtn.click();
        break;
      case "m":
        muteBtn.click();
        break;
      case "Escape":
        if (!document.fullscreenElement) navigate(`/title/${contentId}`);
        break;
    }
  };
  document.addEventListener("keydown", onKey);
  cleanups.push(() => document.removeEventListener("keydown", onKey));

  playback.start();
  wake();
}

const millis = (d: Duration | undefined) => (d ? Number(durationMs(d)) : undefined);

function toReading(beat: Heartbeat) {
  return {
    sequence: BigInt(beat.sequence),
    eventTime: {
      seconds: BigInt(Math.floor(beat.eventTimeMs / 1000)),
      nanos: (beat.eventTimeMs % 1000) * 1e6,
    },
    position: secondsToDuration(beat.positionSeconds),
    state: STATE[beat.state],
    renditionId: beat.renditionId,
    bitrateBps: BigInt(beat.bitrateBps),
    bufferSeconds: beat.bufferSeconds,
    droppedFrames: BigInt(beat.droppedFrames),
    measuredThroughputBps: BigInt(beat.throughputBps),
  };
}

/**
 * Notes a report's outcome in the probe: each reading once, kept in sequence order (a retried
 * reading is reported again, maybe after newer ones); accepted once any report of it was.
 */
function recordReport(log: ProbeBeat[], beats: readonly Heartbeat[], ok: boolean): void {
  for (const beat of beats) {
    let at = log.length;
    while (at > 0 && (log[at - 1]?.sequence ?? 0) >= beat.sequence) at -= 1;
    const known = log[at];
    if (known?.sequence === beat.sequence) known.ok ||= ok;
    else log.splice(at, 0, { ...beat, ok });
  }
}

function secondsToDuration(seconds: number): { seconds: bigint; nanos: number } {
  const s = Math.max(0, seconds);
  const whole = Math.floor(s);
  return { seconds: BigInt(whole), nanos: Math.round((s - whole) * 1e9) };
}
