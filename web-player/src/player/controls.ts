/**
 * The player's controls, made of media-chrome's web components around the
 * video that dash.js drives: play/pause, back and forward 10 s, the seek bar
 * (with the buffered range), time, mute and volume, stats and full screen,
 * fading while playing and idle. The element returned as `player` is the
 * media-controller itself: it holds the video, the overlays and the bar, and
 * goes full screen. media-chrome remembers volume and mute on this device
 * when the member changes them (not when the app mutes for autoplay). Its own
 * hotkeys are off: the keys (keyboard.ts) work anywhere on the page and send
 * the same requests as the buttons, so there is one state and one memory.
 */
import { MediaUIEvents } from "media-chrome/constants.js";
import { h, ICONS, icon } from "../lib/dom.js";

export interface Controls {
  /** The media-controller, holding the video; the screen appends its overlays, then `bar`. */
  player: HTMLElement;
  bar: HTMLElement;
  /** The seek bar (media-time-range). */
  seek: HTMLElement;
  statsButton: HTMLButtonElement;
  toggle(): void;
  skip(seconds: number): void;
  toggleMute(): void;
  /** Volume up (positive) or down by `step` (0–1). */
  changeVolume(step: number): void;
  toggleFullscreen(): void;
  /** Whether `key` on `target` is the control's own (a slider's arrows, a button's or link's space and k). */
  ownsKey(target: Element, key: string): boolean;
}

/** The seconds the skip buttons and keys move by. */
export const SKIP_SECONDS = 10;

function chrome(tag: string, attrs: Record<string, string>, ...children: Node[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  el.append(...children);
  return el;
}

/** A tooltip for a media-chrome control: its text goes in the control's named slot. */
const tip = (slot: string, text: string) => h("span", { slot }, text);

const RANGES = new Set(["MEDIA-TIME-RANGE", "MEDIA-VOLUME-RANGE"]);

/** Builds the controller around `video` and the bar of controls that goes in it. */
export function createControls(video: HTMLVideoElement): Controls {
  video.slot = "media";
  const playBtn = chrome(
    "media-play-button",
    { "aria-keyshortcuts": "k Space" },
    tip("tooltip-play", "Play (k)"),
    tip("tooltip-pause", "Pause (k)"),
  );
  const back = chrome(
    "media-seek-backward-button",
    { seekoffset: String(SKIP_SECONDS), "aria-keyshortcuts": "ArrowLeft j" },
    tip("tooltip-content", `Back ${SKIP_SECONDS} s (← or j)`),
  );
  const forward = chrome(
    "media-seek-forward-button",
    { seekoffset: String(SKIP_SECONDS), "aria-keyshortcuts": "ArrowRight l" },
    tip("tooltip-content", `Forward ${SKIP_SECONDS} s (→ or l)`),
  );
  const seek = chrome("media-time-range", { class: "seek" });
  const time = chrome("media-time-display", { class: "time", showduration: "" });
  const muteBtn = chrome(
    "media-mute-button",
    { "aria-keyshortcuts": "m" },
    tip("tooltip-mute", "Mute (m)"),
    tip("tooltip-unmute", "Unmute (m)"),
  );
  const volume = chrome("media-volume-range", { class: "volume", "aria-keyshortcuts": "ArrowUp ArrowDown" });
  const statsButton = h(
    "button",
    {
      type: "button",
      class: "icon-btn stats-btn",
      "aria-label": "Stats for nerds",
      "aria-keyshortcuts": "i",
      title: "Stats (i)",
      "aria-pressed": "false",
    },
    icon(ICONS.info),
  );
  const fsBtn = chrome(
    "media-fullscreen-button",
    { "aria-keyshortcuts": "f" },
    tip("tooltip-enter", "Full screen (f)"),
    tip("tooltip-exit", "Exit full screen (f)"),
  );
  const bar = chrome(
    "media-control-bar",
    { class: "controls" },
    playBtn,
    back,
    forward,
    seek,
    time,
    muteBtn,
    volume,
    statsButton,
    fsBtn,
  );
  const player = chrome(
    "media-controller",
    {
      class: "player",
      tabindex: "-1",
      nohotkeys: "",
      autohide: "3",
      defaultstreamtype: "on-demand",
      "aria-keyshortcuts": "k Space ArrowLeft ArrowRight j l ArrowUp ArrowDown m i f Escape",
    },
    video,
  );

  const request = (type: string, detail?: unknown) =>
    player.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true, detail }));
  return {
    player,
    bar,
    seek,
    statsButton,
    toggle() {
      request(video.paused ? MediaUIEvents.MEDIA_PLAY_REQUEST : MediaUIEvents.MEDIA_PAUSE_REQUEST);
    },
    skip(seconds) {
      const end = Number.isFinite(video.duration) ? video.duration : Number.POSITIVE_INFINITY;
      request(MediaUIEvents.MEDIA_SEEK_REQUEST, Math.max(0, Math.min(end, video.currentTime + seconds)));
    },
    toggleMute() {
      request(video.muted ? MediaUIEvents.MEDIA_UNMUTE_REQUEST : MediaUIEvents.MEDIA_MUTE_REQUEST);
    },
    changeVolume(step) {
      if (video.muted && step > 0) request(MediaUIEvents.MEDIA_UNMUTE_REQUEST);
      request(MediaUIEvents.MEDIA_VOLUME_REQUEST, Math.max(0, Math.min(1, video.volume + step)));
    },
    toggleFullscreen() {
      request(
        document.fullscreenElement
          ? MediaUIEvents.MEDIA_EXIT_FULLSCREEN_REQUEST
          : MediaUIEvents.MEDIA_ENTER_FULLSCREEN_REQUEST,
      );
    },
    ownsKey(target, key) {
      if (RANGES.has(target.tagName)) return key.startsWith("Arrow");
      const button = target.tagName === "BUTTON" || target.getAttribute("role") === "button";
      return (button || target.tagName === "A") && (key === " " || key === "k");
    },
  };
}
