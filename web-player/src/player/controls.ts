/**
 * The player's controls: play/pause, back 10 s, seek bar with time, mute,
 * stats and full screen, fading out while playing and idle. They read the
 * video element's state and send intents to it; they know nothing of dash.js.
 */
import { h, ICONS, icon } from "../lib/dom.js";
import { formatClock } from "../lib/format.js";

export interface Controls {
  /** The bar to put under the video. */
  bar: HTMLElement;
  statsButton: HTMLButtonElement;
  toggle(): void;
  skip(seconds: number): void;
  toggleMute(): void;
  toggleFullscreen(): void;
  syncPlayButton(): void;
  syncMute(): void;
  /** Shows the controls again (and fades them later if playing). */
  wake(): void;
  /** The seek bar, which keeps its own arrow keys. */
  seek: HTMLInputElement;
  dispose(): void;
}

const button = (label: string, title: string, path: string, extra: Record<string, string> = {}) =>
  h("button", { type: "button", class: "icon-btn", "aria-label": label, title, ...extra }, icon(path));

/** Builds the controls for `video` inside `player` (the element that goes full screen and fades). */
export function createControls(video: HTMLVideoElement, player: HTMLElement): Controls {
  const playBtn = button("Play", "Play (k)", ICONS.play);
  const back10 = button("Back 10 seconds", "Back 10 s (←)", ICONS.replay10);
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
  const muteBtn = button("Mute", "Mute (m)", ICONS.volume);
  const statsButton = button("Stats for nerds", "Stats (i)", ICONS.info, { "aria-pressed": "false" });
  const fsBtn = button("Full screen", "Full screen (f)", ICONS.fullscreen);
  const bar = h("div", { class: "controls" }, playBtn, back10, seek, time, muteBtn, statsButton, fsBtn);

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
  const toggleMute = () => {
    video.muted = !video.muted;
  };
  const toggleFullscreen = () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void player.requestFullscreen().catch(() => undefined);
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
  muteBtn.addEventListener("click", toggleMute);
  fsBtn.addEventListener("click", toggleFullscreen);

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

  return {
    bar,
    statsButton,
    seek,
    toggle,
    skip,
    toggleMute,
    toggleFullscreen,
    syncPlayButton,
    syncMute,
    wake,
    dispose() {
      if (idleTimer !== undefined) clearTimeout(idleTimer);
    },
  };
}
