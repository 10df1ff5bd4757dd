import { type Cue, writeWebVtt } from "./cues.js";

/** How long each synthetic cue shows, and how often one starts. */
const SYNTHETIC_CUE_MS = 1_500;
const SYNTHETIC_CUE_EVERY_MS = 2_000;

/**
 * Cues with known times for synthetic sources: one every two seconds, each
 * saying its language and when it starts ("[fr] 0:04"), so a test or a
 * viewer can tell which track shows and whether it keeps time.
 */
export function syntheticCues(language: string, seconds: number): Cue[] {
  const cues: Cue[] = [];
  for (let startMs = 0; startMs + SYNTHETIC_CUE_MS <= seconds * 1000; startMs += SYNTHETIC_CUE_EVERY_MS) {
    const s = Math.floor(startMs / 1000);
    cues.push({
      startMs,
      endMs: startMs + SYNTHETIC_CUE_MS,
      settings: "",
      text: `[${language}] ${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`,
    });
  }
  return cues;
}

/** The synthetic cues as a WebVTT file. */
export function syntheticWebVtt(language: string, seconds: number): string {
  return writeWebVtt(syntheticCues(language, seconds));
}
