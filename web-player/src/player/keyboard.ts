/**
 * The player's keys, anywhere on the page: space/k play-pause, ←/j and →/l
 * 10 s back and forward, ↑/↓ volume, m mute, i stats, f full screen, Esc
 * back. The controls carry the same keys in aria-keyshortcuts and tooltips.
 */
import { type Controls, SKIP_SECONDS } from "./controls.js";

export interface KeyActions {
  controls: Controls;
  toggleStats(): void;
  back(): void;
}

/** What ↑/↓ change the volume by. */
const VOLUME_STEP = 0.1;

/** Listens on the document; returns the function that stops listening. */
export function bindPlayerKeys(a: KeyActions): () => void {
  const { controls } = a;
  const onKey = (event: KeyboardEvent) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target as HTMLElement;
    if (target.tagName === "INPUT" || target.tagName === "TEXTAREA") return;
    if (controls.ownsKey(target, event.key)) return;
    const act = (fn: () => void) => {
      event.preventDefault();
      fn();
    };
    switch (event.key) {
      case " ":
      case "k":
        act(controls.toggle);
        break;
      case "ArrowLeft":
      case "j":
        act(() => controls.skip(-SKIP_SECONDS));
        break;
      case "ArrowRight":
      case "l":
        act(() => controls.skip(SKIP_SECONDS));
        break;
      case "ArrowUp":
        act(() => controls.changeVolume(VOLUME_STEP));
        break;
      case "ArrowDown":
        act(() => controls.changeVolume(-VOLUME_STEP));
        break;
      case "i":
      case "I":
        a.toggleStats();
        break;
      case "f":
        controls.toggleFullscreen();
        break;
      case "m":
        controls.toggleMute();
        break;
      case "Escape":
        if (!document.fullscreenElement) a.back();
        break;
    }
  };
  document.addEventListener("keydown", onKey);
  return () => document.removeEventListener("keydown", onKey);
}
