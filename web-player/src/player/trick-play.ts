/**
 * Trick-play: the title's thumbnails track (WebVTT cues naming tiles of
 * sprite sheets made at ingest, signed like the segments) on the video, where
 * media-chrome's seek bar finds it and previews the frame under the pointer
 * while hovering and dragging, touch included (it follows pointer events).
 * media-chrome previews only under a pointer, so a seek made with keys — the
 * player's ←/→ and j/l, the seek bar's own arrows, Enter on the skip buttons —
 * shows the same preview above the seek bar at the new position for a moment.
 */
import { MediaUIEvents } from "media-chrome/constants.js";
import { h } from "../lib/dom.js";
import { rebaseUrl } from "./urls.js";

/** How long a seek by keys shows its preview. */
const KEY_PREVIEW_MS = 1_500;
/** A seek asked for this soon after a key press was made with keys. */
const KEY_SEEK_MS = 250;
/** The label media-chrome looks for on a metadata track. */
const LABEL = "thumbnails";

export interface TrickPlay {
  /** The manifest URL was renewed: the track and its sprites take the new signature. */
  renewed(manifestUrl: string): void;
  dispose(): void;
}

export interface TrickPlayOptions {
  video: HTMLVideoElement;
  /** The media-controller. */
  player: HTMLElement;
  /** The media-time-range. */
  seek: HTMLElement;
  /** StreamContent's thumbnails_url, absolute. */
  thumbnailsUrl: string;
  /** The manifest URL it was signed with, absolute. */
  manifestUrl: string;
}

export function addTrickPlay(o: TrickPlayOptions): TrickPlay {
  const addTrack = (src: string) => {
    const el = h("track", { kind: "metadata", label: LABEL, default: true, src });
    o.video.append(el);
    // A metadata track loads its cues only when not disabled; hidden keeps it off screen.
    el.track.mode = "hidden";
    return el;
  };
  let track = addTrack(o.thumbnailsUrl);

  const box = h(
    "div",
    { class: "key-preview", hidden: true, noautohide: true, "aria-hidden": "true" },
    document.createElement("media-preview-thumbnail"),
    document.createElement("media-preview-time-display"),
  );
  o.player.append(box);

  let keyAt = Number.NEGATIVE_INFINITY;
  let hideTimer: ReturnType<typeof setTimeout> | undefined;
  const onKey = () => {
    keyAt = performance.now();
  };
  const show = (seconds: number) => {
    const duration = o.video.duration;
    if (!Number.isFinite(duration) || duration <= 0) return;
    o.seek.dispatchEvent(
      new CustomEvent(MediaUIEvents.MEDIA_PREVIEW_REQUEST, {
        bubbles: true,
        composed: true,
        detail: seconds,
      }),
    );
    box.hidden = false;
    const bar = o.seek.getBoundingClientRect();
    const frame = o.player.getBoundingClientRect();
    const half = box.offsetWidth / 2;
    const at = bar.left - frame.left + (Math.max(0, Math.min(duration, seconds)) / duration) * bar.width;
    box.style.left = `${Math.max(half, Math.min(frame.width - half, at))}px`;
    box.style.bottom = `${frame.bottom - bar.top + 8}px`;
    clearTimeout(hideTimer);
    hideTimer = setTimeout(() => {
      box.hidden = true;
    }, KEY_PREVIEW_MS);
  };
  const onSeek = (event: Event) => {
    const seconds = (event as CustomEvent<unknown>).detail;
    if (typeof seconds === "number" && performance.now() - keyAt < KEY_SEEK_MS) show(seconds);
  };
  document.addEventListener("keydown", onKey, true);
  o.player.addEventListener(MediaUIEvents.MEDIA_SEEK_REQUEST, onSeek);

  return {
    renewed(manifestUrl) {
      // A new track rather than a new src on the old one: its cues are loaded afresh, with the new signature.
      const next = addTrack(rebaseUrl(o.thumbnailsUrl, o.manifestUrl, manifestUrl));
      track.remove();
      track = next;
    },
    dispose() {
      clearTimeout(hideTimer);
      document.removeEventListener("keydown", onKey, true);
      o.player.removeEventListener(MediaUIEvents.MEDIA_SEEK_REQUEST, onSeek);
      box.remove();
      track.remove();
    },
  };
}
