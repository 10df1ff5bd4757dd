/**
 * The stats overlay ("i" or the ⓘ button): what is on screen, the rendition
 * being fetched and why, the throughput estimate, the video buffer, dropped
 * frames and rebuffers, redrawn every second while shown — so a member sees
 * why the picture changed. It reads figures; it changes nothing.
 */
import { h } from "../lib/dom.js";
import { statsLines } from "../lib/format.js";
import type { PlaybackStats } from "./playback.js";

export interface StatsOverlay {
  element: HTMLElement;
  toggle(): void;
  dispose(): void;
}

export function createStatsOverlay(o: {
  read: () => PlaybackStats | undefined;
  /** The plan's cap, once the session says it. */
  maxHeight: () => number | undefined;
  abrLabel: string;
  button: HTMLElement;
}): StatsOverlay {
  const element = h("dl", { class: "stats", hidden: true, "aria-label": "Playback statistics" });
  const draw = () => {
    const s = o.read();
    element.replaceChildren(
      ...statsLines({ ...s, maxHeight: o.maxHeight() }).flatMap(([k, v]) => [
        h("dt", null, k),
        h("dd", null, v),
      ]),
      h("dt", null, "ABR"),
      h("dd", null, o.abrLabel),
    );
  };
  let timer: ReturnType<typeof setInterval> | undefined;
  const stop = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };
  const toggle = () => {
    element.hidden = !element.hidden;
    o.button.setAttribute("aria-pressed", String(!element.hidden));
    stop();
    if (!element.hidden) {
      draw();
      timer = setInterval(draw, 1000);
    }
  };
  o.button.addEventListener("click", toggle);
  return { element, toggle, dispose: stop };
}
