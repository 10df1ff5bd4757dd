/** The player's keys: space/k play-pause, ←/→ 10 s, i stats, f full screen, m mute, Esc back. */
import type { Controls } from "./controls.js";

export interface KeyActions {
  controls: Controls;
  toggleStats(): void;
  back(): void;
}

/** Listens on the document; returns the function that stops listening. */
export function bindPlayerKeys(a: KeyActions): () => void {
  const { controls } = a;
  const onKey = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement;
    if (target.tagName === "INPUT" && target !== controls.seek) return;
    controls.wake();
    switch (event.key) {
      case " ":
      case "k":
        if (target.tagName === "BUTTON" || target.tagName === "A") return;
        event.preventDefault();
        controls.toggle();
        break;
      case "ArrowLeft":
        if (target === controls.seek) return;
        event.preventDefault();
        controls.skip(-10);
        break;
      case "ArrowRight":
        if (target === controls.seek) return;
        event.preventDefault();
        controls.skip(10);
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
