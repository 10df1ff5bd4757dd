/**
 * The player screen: composes the parts in src/player/ — the session (opened
 * early by the details page when it could), the dash.js playback, the
 * heartbeats, the controls with the seek bar's previews, the stats overlay,
 * the keys and the test probe — and shows a clear message for every failure.
 */
import { durationMs, timestampMs } from "@bufbuild/protobuf/wkt";
import type { StreamContentResponse } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import { api, baseUrl, session } from "../lib/api.js";
import { getTitle } from "../lib/catalog.js";
import { h, ICONS, icon, replace } from "../lib/dom.js";
import { navigate, router } from "../nav.js";
import { planCap } from "../player/cap.js";
import { createControls } from "../player/controls.js";
import { bindPlayerKeys } from "../player/keyboard.js";
import { openSession, streamErrorMessage } from "../player/open-session.js";
import { type AbrMode, Playback } from "../player/playback.js";
import { knownThroughput, loadControls, loadEngine, rememberThroughput } from "../player/preload.js";
import { newProbe } from "../player/probe.js";
import { createReporter, secondsToDuration } from "../player/reporting.js";
import { createStatsOverlay } from "../player/stats-overlay.js";
import { createTrackMenus } from "../player/track-menus.js";
import { addTrickPlay } from "../player/trick-play.js";
import { bare } from "../ui/shell.js";

export async function playerScreen(contentId: string, query: URLSearchParams): Promise<void> {
  // Everything the first frame waits for starts before anything is drawn.
  const episodeId = query.get("episode") ?? "";
  const sessionCall = openSession(contentId, episodeId);
  const engineCall = loadEngine();
  const controlsCall = loadControls();
  const startEstimateBps = knownThroughput();

  const main = bare();
  const abr: AbrMode = query.get("abr") === "default" ? "default" : "marquee";
  const probe = newProbe();

  const video = h("video", { class: "video", playsinline: true, preload: "auto" });
  const titleEl = h("h1", { class: "player-title" }, "");
  const message = h("div", {
    class: "player-message",
    slot: "centered-chrome",
    noautohide: true,
    role: "status",
    "aria-live": "polite",
  });
  const backLink = h(
    "a",
    { class: "icon-btn back", href: `/title/${contentId}`, "aria-label": "Back to details" },
    icon(ICONS.back),
  );
  const controls = createControls(video);
  const { player } = controls;
  player.dataset.state = "loading";
  let playback: Playback | undefined;
  let maxHeight: number | undefined;
  const stats = createStatsOverlay({
    read: () => playback?.stats(),
    maxHeight: () => maxHeight,
    abrLabel: abr === "marquee" ? "Marquee rule" : "dash.js default",
    button: controls.statsButton,
  });
  stats.element.setAttribute("noautohide", "");
  const trackMenus = createTrackMenus(session.profile?.profileId ?? "");
  controls.statsButton.before(...trackMenus.buttons);
  player.append(
    h("div", { class: "player-top", slot: "top-chrome" }, backLink, titleEl),
    message,
    stats.element,
    ...trackMenus.menus,
    controls.bar,
  );
  main.appendChild(player);
  player.focus();

  const backToDetails = () => h("a", { class: "btn btn-secondary", href: `/title/${contentId}` }, "Back");
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
  cleanups.push(
    () => stats.dispose(),
    () => trackMenus.dispose(),
  );

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
  let dash: Awaited<typeof engineCall>;
  try {
    [stream, dash] = await Promise.all([sessionCall, engineCall, controlsCall]);
  } catch (err) {
    if (disposed) return;
    sessionCall.then((s) => api.streaming.stopStream({ sessionId: s.sessionId })).catch(() => undefined);
    const m = streamErrorMessage(err);
    player.dataset.state = "error";
    probe.status = { kind: "failed" };
    const action = m.action
      ? h(
          "a",
          { class: `btn ${m.action.primary ? "btn-primary" : "btn-secondary"}`, href: m.action.href },
          m.action.label,
        )
      : backToDetails();
    showMessage(m.title, m.detail, action);
    return;
  }
  const sessionId = stream.sessionId;
  if (disposed) {
    api.streaming.stopStream({ sessionId }).catch(() => undefined);
    return;
  }
  probe.sessionId = sessionId;

  const cap = planCap(stream.renditions, stream.maxQuality);
  maxHeight = Number.isFinite(cap.maxHeight) ? cap.maxHeight : undefined;
  const resumeSeconds = stream.resumePosition ? Number(durationMs(stream.resumePosition)) / 1000 : 0;
  // ?t=<seconds> starts elsewhere than the resume position (?t=0: from the beginning).
  const tParam = Number(query.get("t"));
  const startSeconds = query.has("t") && Number.isFinite(tParam) && tParam >= 0 ? tParam : resumeSeconds;

  const manifestUrl = new URL(stream.manifestUrl, baseUrl).toString();
  const trickPlay =
    stream.thumbnailsUrl === ""
      ? undefined
      : addTrickPlay({
          video,
          player,
          seek: controls.seek,
          thumbnailsUrl: new URL(stream.thumbnailsUrl, baseUrl).toString(),
          manifestUrl,
        });
  if (trickPlay) cleanups.push(() => trickPlay.dispose());

  const current = new Playback(dash, {
    video,
    manifestUrl,
    manifestExpireMs: stream.manifestExpireTime ? timestampMs(stream.manifestExpireTime) : undefined,
    startSeconds,
    cap,
    abr,
    renditions: stream.renditions.map((r) => ({
      renditionId: r.renditionId,
      bitrateBps: Number(r.bitrateBps),
    })),
    startEstimateBps,
    bufferSeconds: Number(query.get("buffer")) > 0 ? Math.min(60, Number(query.get("buffer"))) : undefined,
    onQuality() {
      // Rendition switches are part of the playback record: report each at once.
      if (heartbeats.running) void heartbeats.beat("quality");
    },
    onRebuffer() {
      if (heartbeats.running) void heartbeats.beat("rebuffer");
    },
    onThroughput: rememberThroughput,
    onPlayer: (p) => trackMenus.attach(p, dash.MediaPlayer.events.STREAM_INITIALIZED),
    async renew() {
      const res = await api.streaming.renewManifestUrl({ sessionId });
      const url = new URL(res.manifestUrl, baseUrl).toString();
      trickPlay?.renewed(url);
      return {
        url,
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
          showMessage("Playback failed", status.message, backToDetails());
          break;
        case "ended":
          showMessage("", "");
          void heartbeats.stop();
          break;
        default:
          showMessage("", "");
      }
    },
  });
  playback = current;
  probe.playback = current.log;
  probe.reading = () => current.reading();

  let sessionOver = false;
  const heartbeats = createReporter({
    sessionId,
    heartbeatInterval: stream.heartbeatInterval,
    reportInterval: stream.reportInterval,
    read: () => current.reading(),
    log: probe.heartbeats,
    onSessionEnded(detail) {
      sessionOver = true;
      video.pause();
      showMessage("Playback stopped", detail, backToDetails());
    },
  });

  let firstPlay = true;
  const position = () => secondsToDuration(video.currentTime);
  // Once the server ended the session (a STOPPED reading, or ended elsewhere) its calls would be refused.
  const over = () => sessionOver || heartbeats.stopAccepted;
  const onPlay = () => {
    if (over()) return;
    if (firstPlay) {
      firstPlay = false;
      heartbeats.start();
      return;
    }
    void heartbeats.beat("play");
    api.streaming.resumeStream({ sessionId, position: position() }).catch(() => undefined);
  };
  const onPause = () => {
    if (video.ended || firstPlay || over()) return;
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
    // stop()'s STOPPED reading ends the session. The page stays, so StopStream can wait for that report
    // and go only when the session is still open: the scheduler never started, or the report was lost
    // or refused. After an accepted STOPPED reading (here, or at the end of the video) it would be refused.
    void heartbeats
      .stop()
      .then(() => (over() ? undefined : api.streaming.stopStream({ sessionId, position: at })))
      .catch(() => undefined);
    current.destroy();
    document.title = "Marquee";
  });

  // Autoplay may be refused without a gesture (e.g. after a reload): play muted and offer to unmute.
  video.addEventListener(
    "canplay",
    () => {
      if (!video.paused) return;
      video.play().catch(() => {
        video.muted = true;
        video.play().catch(() => undefined);
      });
    },
    { once: true },
  );

  cleanups.push(
    bindPlayerKeys({ controls, toggleStats: stats.toggle, back: () => navigate(`/title/${contentId}`) }),
  );

  current.start();
}
