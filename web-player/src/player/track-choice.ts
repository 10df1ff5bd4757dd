/**
 * What a profile chose to hear and read — audio language, subtitle language
 * or off, and how subtitles look — remembered in this browser per profile,
 * so the next title starts the way the member left the last one.
 */

export const CUE_SIZES = ["small", "medium", "large", "huge"] as const;
export type CueSize = (typeof CUE_SIZES)[number];

export interface TrackChoice {
  /** BCP 47 language of the audio, when the member picked one. */
  audio?: string;
  /** Subtitle language, or "off"; undefined until the member picks. */
  text?: string;
  size: CueSize;
  /** An opaque box behind the text rather than a translucent one. */
  solid: boolean;
}

const DEFAULT_CHOICE: TrackChoice = { size: "medium", solid: false };

const key = (profileId: string) => `marquee.tracks.${profileId}`;

export function loadChoice(profileId: string): TrackChoice {
  try {
    const saved = JSON.parse(localStorage.getItem(key(profileId)) ?? "null") as Partial<TrackChoice> | null;
    if (saved === null || typeof saved !== "object") return { ...DEFAULT_CHOICE };
    return {
      ...(typeof saved.audio === "string" ? { audio: saved.audio } : {}),
      ...(typeof saved.text === "string" ? { text: saved.text } : {}),
      size: CUE_SIZES.includes(saved.size as CueSize) ? (saved.size as CueSize) : DEFAULT_CHOICE.size,
      solid: saved.solid === true,
    };
  } catch {
    // Unreadable storage (private mode, a hand-edited value): start from the defaults.
    return { ...DEFAULT_CHOICE };
  }
}

export function saveChoice(profileId: string, choice: TrackChoice): void {
  try {
    localStorage.setItem(key(profileId), JSON.stringify(choice));
  } catch {
    // Storage full or refused: the choice holds for this title only.
  }
}
