import type { AudioTrack, TextTrack } from "./tracks.js";

/**
 * Says in the MPD what ffmpeg's dash muxer cannot: each audio AdaptationSet's
 * language, DASH role and label, and a text AdaptationSet per subtitle file.
 * Done here rather than with stream metadata because the muxers of the
 * ffmpegs ingest runs on differ (the 2018 static build writes no Role).
 */

const ROLE_SCHEME = "urn:mpeg:dash:role:2011";
/** DASH-IF's roles for text: "caption" for the deaf and hard of hearing, "forced-subtitle" for forced narrative. */
const TEXT_ROLE = { subtitles: "subtitle", captions: "caption", forced: "forced-subtitle" } as const;

const xml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const ADAPTATION_SET = /(<AdaptationSet\b[^>]*>)([\s\S]*?<\/AdaptationSet>)/g;

/** The MPD with every audio AdaptationSet described by the track whose Representation it holds. */
export function describeAudioSets(mpd: string, tracks: readonly AudioTrack[]): string {
  const seen = new Set<string>();
  const out = mpd.replace(ADAPTATION_SET, (whole, open: string, body: string) => {
    const track = tracks.find((t) => body.includes(`<Representation id="${t.id}"`));
    if (track === undefined) return whole;
    seen.add(track.id);
    const tag = open.replace(/\s+lang="[^"]*"/, "").replace(/>$/, ` lang="${xml(track.language)}">`);
    const indent = /\n(\s*)<Representation/.exec(body)?.[1] ?? "\t\t\t";
    return `${tag}\n${indent}<Role schemeIdUri="${ROLE_SCHEME}" value="${track.role}" />\n${indent}<Label>${xml(track.label)}</Label>${body}`;
  });
  const missing = tracks.filter((t) => !seen.has(t.id));
  if (missing.length > 0) throw new Error(`the manifest has no audio ${missing.map((t) => t.id).join(", ")}`);
  return out;
}

/** The MPD with one text AdaptationSet per track after the others, its file beside the manifest. */
export function addTextSets(mpd: string, tracks: readonly TextTrack[]): string {
  if (tracks.length === 0) return mpd;
  const ids = [...mpd.matchAll(/<AdaptationSet\b[^>]*\bid="(\d+)"/g)].map((m) => Number(m[1]));
  let next = Math.max(-1, ...ids) + 1;
  const sets = tracks.map(
    (t) =>
      `\t\t<AdaptationSet id="${next++}" contentType="text" mimeType="text/vtt" lang="${xml(t.language)}">\n` +
      `\t\t\t<Role schemeIdUri="${ROLE_SCHEME}" value="${TEXT_ROLE[t.kind]}" />\n` +
      `\t\t\t<Label>${xml(t.label)}</Label>\n` +
      `\t\t\t<Representation id="${t.id}" bandwidth="256">\n` +
      `\t\t\t\t<BaseURL>${t.file}</BaseURL>\n` +
      "\t\t\t</Representation>\n" +
      "\t\t</AdaptationSet>\n",
  );
  const end = mpd.lastIndexOf("</Period>");
  if (end < 0) throw new Error("the manifest has no Period");
  const lineStart = mpd.lastIndexOf("\n", end) + 1;
  return mpd.slice(0, lineStart) + sets.join("") + mpd.slice(lineStart);
}
