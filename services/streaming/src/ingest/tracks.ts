/**
 * The audio languages and subtitle tracks an ingest is given besides the
 * source's own audio, and what the published asset says of them.
 */

export const TEXT_KINDS = ["subtitles", "captions", "forced"] as const;
export type TextKind = (typeof TEXT_KINDS)[number];
export const AUDIO_ROLES = ["main", "dub"] as const;
export type AudioRole = (typeof AUDIO_ROLES)[number];

/** A WebVTT or SRT file to publish as a text track. */
export interface TextTrackInput {
  file: string;
  /** BCP 47, e.g. "en" or "pt-BR". */
  language: string;
  kind: TextKind;
}

/** One more audio language: an audio stream of another file, or (no `file`) of the source itself. */
export interface AudioTrackInput {
  file?: string;
  /** Which audio stream of that file, 0 for its first. */
  stream: number;
  language: string;
  role: AudioRole;
}

/** An audio AdaptationSet of a published asset. */
export interface AudioTrack {
  /** Its Representation id in the manifest and segment names. */
  id: string;
  language: string;
  role: AudioRole;
  label: string;
}

/** A text AdaptationSet of a published asset: one WebVTT file beside the manifest. */
export interface TextTrack {
  id: string;
  /** The file's name in the asset directory, e.g. "text1.vtt". */
  file: string;
  language: string;
  kind: TextKind;
  label: string;
  cues: number;
}

export class TrackError extends Error {
  override name = "TrackError";
}

/** The canonical form of a BCP 47 tag ("pt-br" → "pt-BR"); TrackError when it is none. */
export function canonicalLanguage(tag: string, what: string): string {
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    if (canonical !== undefined && /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(canonical)) return canonical;
  } catch {
    // Not a tag: answered below.
  }
  throw new TrackError(`${what}: "${tag}" is not a language tag (BCP 47, e.g. "en" or "pt-BR")`);
}

/** What a member sees in the menu: the language in its own words ("Français"), "(CC)" for captions. */
export function trackLabel(language: string, kind?: TextKind): string {
  const named =
    language === "und"
      ? "Unknown language"
      : (new Intl.DisplayNames([language], { type: "language", fallback: "code" }).of(language) ?? language);
  const label = named.charAt(0).toLocaleUpperCase(language === "und" ? "en" : language) + named.slice(1);
  if (kind === "captions") return `${label} (CC)`;
  if (kind === "forced") return `${label} (forced)`;
  return label;
}
