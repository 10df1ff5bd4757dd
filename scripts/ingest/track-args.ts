import path from "node:path";
import {
  type AudioTrackInput,
  TEXT_KINDS,
  type TextKind,
  type TextTrackInput,
} from "@marquee/streaming/ingest/tracks";

/**
 * `--audio fr=dub-fr.m4a` (its first audio stream; `dub-fr.mka#1` its second) or `--audio de=#1` (the
 * source's second audio stream): dubbed languages.
 */
export function parseAudioArg(arg: string): AudioTrackInput {
  const m = /^([^=]+)=(.*?)(?:#(\d+))?$/.exec(arg);
  if (!m || (m[2] === "" && m[3] === undefined))
    throw new Error(`--audio ${arg}: expected LANG=FILE, LANG=FILE#STREAM or LANG=#STREAM`);
  return {
    ...(m[2] === "" ? {} : { file: path.resolve(m[2] as string) }),
    stream: Number(m[3] ?? (m[2] === "" ? 1 : 0)),
    language: m[1] as string,
    role: "dub",
  };
}

/** `--text en=film.en.vtt` or `--text en:captions=film.en.srt` (kinds: subtitles, captions, forced). */
export function parseTextArg(arg: string): TextTrackInput {
  const m = /^([^=:]+)(?::([a-z]+))?=(.+)$/.exec(arg);
  const kind = (m?.[2] ?? "subtitles") as TextKind;
  if (!m || !TEXT_KINDS.includes(kind))
    throw new Error(
      `--text ${arg}: expected LANG=FILE or LANG:KIND=FILE, KIND one of ${TEXT_KINDS.join(", ")}`,
    );
  return { file: path.resolve(m[3] as string), language: m[1] as string, kind };
}
