import type { CueSize, TrackChoice } from "./track-choice.js";

/**
 * How subtitles look: dash.js hands WebVTT cues to the browser's own
 * renderer, which takes its styling from ::cue. The rules live in one style
 * element, rewritten when the member changes size or background.
 */

const FONT_SIZE: Record<CueSize, string> = { small: "75%", medium: "100%", large: "140%", huge: "180%" };

/**
 * The ::cue rules for a choice: white text on a translucent or solid black box, lifted above the
 * control bar (Chromium's cue box, a rule of its own: a browser without it drops only that rule).
 */
function cueCss(choice: Pick<TrackChoice, "size" | "solid">): string {
  const background = choice.solid ? "rgb(0 0 0)" : "rgb(0 0 0 / 0.6)";
  return [
    `.player video::cue { font-size: ${FONT_SIZE[choice.size]}; color: #fff; background-color: ${background}; line-height: 1.3; }`,
    ".player video::-webkit-media-text-track-container { transform: translateY(-88px); }",
  ].join("\n");
}

/** Applies the choice's look to every player on the page; returns a function that removes it. */
export function applyCaptionStyle(choice: Pick<TrackChoice, "size" | "solid">): () => void {
  let style = document.getElementById("marquee-cue-style");
  if (style === null) {
    style = document.createElement("style");
    style.id = "marquee-cue-style";
    document.head.append(style);
  }
  style.textContent = cueCss(choice);
  const applied = style;
  return () => applied.remove();
}
