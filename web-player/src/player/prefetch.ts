/**
 * The first segments fetched alongside the manifest instead of after it.
 * dash.js reads the MPD, then asks for the init segments, then the first
 * media segments: three round trips in a row before the first frame. Our
 * ingest names segments predictably (services/streaming ingest ladder.ts:
 * `init-<id>.m4s`, `chunk-<id>-<n>.m4s` numbered from 1, `audio` for the
 * audio track) and the origin serves them as immutable, so the player asks
 * for them at once and dash.js's own requests find them in the HTTP cache (or
 * wait on the request already under way). A wrong guess costs one small download.
 * A session opened early (the pointer on Play) prefetches them before the click.
 */
import { startRendition } from "./abr-rule.js";

/** Our ladder's segment duration, to pick and prefetch the first segments before dash.js has read the manifest. */
export const SEGMENT_SECONDS_GUESS = 4;

/** The first video rendition: the highest whose first segment arrives quickly at the throughput known (abr-rule). */
export function firstRendition<R extends { renditionId: string; bitrateBps: number }>(
  renditions: readonly R[],
  maxBitrateKbps: number,
  estimateBps: number | undefined,
): R | undefined {
  const ladder = renditions
    .filter((r) => maxBitrateKbps < 0 || r.bitrateBps <= maxBitrateKbps * 1000)
    .sort((a, b) => a.bitrateBps - b.bitrateBps);
  const rungs = ladder.map((r) => ({ id: r.renditionId, height: 0, bitrateBps: r.bitrateBps }));
  return ladder[startRendition(rungs, estimateBps, SEGMENT_SECONDS_GUESS)];
}

const AUDIO_RENDITION = "audio";

/** URLs of the init and first media segments, video and audio, for a start at `startSeconds`. */
export function firstSegmentUrls(
  manifestUrl: string,
  videoId: string,
  startSeconds: number,
  segmentSeconds: number,
): string[] {
  const manifest = new URL(manifestUrl);
  const number = String(Math.floor(Math.max(0, startSeconds) / segmentSeconds) + 1).padStart(5, "0");
  return [videoId, AUDIO_RENDITION].flatMap((id) =>
    [`init-${id}.m4s`, `chunk-${id}-${number}.m4s`].map((file) => {
      const url = new URL(file, manifest);
      url.search = manifest.search;
      return url.toString();
    }),
  );
}

/** URLs fetched already on this page (each is fetched once). */
const fetched = new Set<string>();

/** Fetches them into the HTTP cache; failures are dash.js's to meet again, not ours. */
export function prefetch(urls: readonly string[]): void {
  for (const url of urls) {
    if (fetched.has(url)) continue;
    fetched.add(url);
    fetch(url)
      .then((res) => res.arrayBuffer())
      .catch(() => undefined);
  }
}
