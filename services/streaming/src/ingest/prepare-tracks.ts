import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseSubtitles, writeWebVtt } from "./cues.js";
import { runFfmpeg } from "./ffmpeg.js";
import { audioId } from "./ladder.js";
import { addTextSets, describeAudioSets } from "./mpd-tracks.js";
import {
  AUDIO_ROLES,
  type AudioTrack,
  type AudioTrackInput,
  canonicalLanguage,
  TEXT_KINDS,
  type TextTrack,
  type TextTrackInput,
  TrackError,
  trackLabel,
} from "./tracks.js";

/** A text track checked and converted, ready to be written beside the manifest. */
interface PreparedText {
  track: TextTrack;
  vtt: string;
}

/** How many audio streams ffmpeg's banner lists for its input. */
function audioStreamCount(banner: string): number {
  return banner.split("\n").filter((l) => /^\s*Stream #\d+:\d+.*: Audio:/.test(l)).length;
}

/**
 * Reads every subtitle file and checks it cue by cue (SRT converted to
 * WebVTT): TrackError names the file and line of the first fault, before any
 * encoding starts.
 */
export async function prepareTextTracks(inputs: readonly TextTrackInput[]): Promise<PreparedText[]> {
  return Promise.all(
    inputs.map(async (input, i) => {
      const name = path.basename(input.file);
      const what = `text track ${i + 1} (${name})`;
      if (!TEXT_KINDS.includes(input.kind))
        throw new TrackError(`${what}: kind must be ${TEXT_KINDS.join(", ")}`);
      const language = canonicalLanguage(input.language, what);
      const text = await readFile(input.file, "utf8").catch(() => {
        throw new TrackError(`${what}: no such file`);
      });
      const cues = parseSubtitles(text, name);
      const id = `text${i + 1}`;
      return {
        track: {
          id,
          file: `${id}.vtt`,
          language,
          kind: input.kind,
          label: trackLabel(language, input.kind),
          cues: cues.length,
        },
        vtt: writeWebVtt(cues),
      };
    }),
  );
}

/**
 * The asset's audio tracks: the source's first stream in `mainLanguage`, then
 * each extra one, checked to exist (the file has that audio stream) first.
 */
export async function prepareAudioTracks(
  ffmpeg: string,
  sourceBanner: string,
  mainLanguage: string,
  inputs: readonly AudioTrackInput[],
  signal?: AbortSignal,
): Promise<AudioTrack[]> {
  const main = canonicalLanguage(mainLanguage, "the source's audio language");
  const tracks: AudioTrack[] = [{ id: audioId(0), language: main, role: "main", label: trackLabel(main) }];
  for (const [i, input] of inputs.entries()) {
    const what = `audio track ${i + 1}${input.file === undefined ? " (of the source)" : ` (${path.basename(input.file)})`}`;
    if (!AUDIO_ROLES.includes(input.role))
      throw new TrackError(`${what}: role must be ${AUDIO_ROLES.join(" or ")}`);
    const language = canonicalLanguage(input.language, what);
    const banner =
      input.file === undefined
        ? sourceBanner
        : await runFfmpeg(ffmpeg, ["-hide_banner", "-i", input.file], { allowFailure: true, signal });
    const streams = audioStreamCount(banner);
    if (!Number.isInteger(input.stream) || input.stream < 0 || input.stream >= streams)
      throw new TrackError(
        `${what}: no audio stream ${input.stream} (it has ${streams === 0 ? "no audio" : `streams 0 to ${streams - 1}`})`,
      );
    tracks.push({ id: audioId(i + 1), language, role: input.role, label: trackLabel(language) });
  }
  return tracks;
}

/** Writes the text tracks beside the manifest and describes every track in it. */
export async function publishTracks(
  dir: string,
  audio: readonly AudioTrack[],
  text: readonly PreparedText[],
): Promise<void> {
  for (const t of text) await writeFile(path.join(dir, t.track.file), t.vtt);
  const manifest = path.join(dir, "manifest.mpd");
  const mpd = await readFile(manifest, "utf8");
  await writeFile(
    manifest,
    addTextSets(
      describeAudioSets(mpd, audio),
      text.map((t) => t.track),
    ),
  );
}
