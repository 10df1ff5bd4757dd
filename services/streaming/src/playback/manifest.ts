/**
 * The per-session manifest: the asset's MPD (written by our own ingest with
 * ffmpeg's dash muxer) with the video Representations above the session's
 * height cap removed, so the player never sees renditions the plan excludes.
 */

const REPRESENTATION = /[ \t]*<Representation\b[^>]*?(?:\/>|>[\s\S]*?<\/Representation>)[ \t]*\r?\n?/g;

function attr(tag: string, name: string): number | undefined {
  const m = new RegExp(`\\b${name}="(\\d+)"`).exec(tag);
  return m ? Number(m[1]) : undefined;
}

/** The MPD without video Representations taller than `maxHeight` (0: unchanged); the lowest always stays. */
export function trimManifest(mpd: string, maxHeight: number): string {
  if (maxHeight <= 0) return mpd;
  const heights = [...mpd.matchAll(REPRESENTATION)]
    .map((m) => attr(m[0].slice(0, m[0].indexOf(">")), "height"))
    .filter((h): h is number => h !== undefined);
  if (heights.length === 0) return mpd;
  const cap = Math.max(maxHeight, Math.min(...heights));
  let keptWidth = 0;
  let keptHeight = 0;
  const trimmed = mpd.replace(REPRESENTATION, (block) => {
    const open = block.slice(0, block.indexOf(">"));
    const height = attr(open, "height");
    if (height === undefined) return block;
    if (height > cap) return "";
    keptHeight = Math.max(keptHeight, height);
    keptWidth = Math.max(keptWidth, attr(open, "width") ?? 0);
    return block;
  });
  return trimmed
    .replace(/\bmaxHeight="\d+"/g, `maxHeight="${keptHeight}"`)
    .replace(/\bmaxWidth="\d+"/g, `maxWidth="${keptWidth}"`);
}

/** Height of a rendition id such as "720p"; undefined for audio and text tracks. */
export function heightOfRendition(renditionId: string): number | undefined {
  const m = /^(\d{2,4})p$/.exec(renditionId);
  return m ? Number(m[1]) : undefined;
}

/**
 * The rendition a media file belongs to: "init-720p.m4s" and "chunk-720p-00001.m4s" give "720p",
 * a text track's WebVTT file "text1.vtt" gives "text1".
 */
export function renditionOfFile(file: string): string | undefined {
  const m = /^(?:init-([A-Za-z0-9]+)\.m4s|chunk-([A-Za-z0-9]+)-\d+\.m4s|(text\d+)\.vtt)$/.exec(file);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}
