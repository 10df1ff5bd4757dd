/** The plan's cap on renditions, applied client-side on top of the server's trimmed manifest. */
import { VideoQuality } from "@marquee/sdk/marquee/common/v1/video_quality_pb";

export interface RenditionInfo {
  renditionId: string;
  height: number;
  bitrateBps: number | bigint;
}

export interface Cap {
  /** Tallest allowed rendition, lines; Infinity for no cap. */
  maxHeight: number;
  /** Highest allowed video bitrate in kbit/s for dash.js (`abr.maxBitrate.video`); -1 for none. */
  maxBitrateKbps: number;
}

const QUALITY_HEIGHT: Record<number, number> = {
  [VideoQuality.SD]: 480,
  [VideoQuality.HD]: 720,
  [VideoQuality.FULL_HD]: 1080,
  [VideoQuality.ULTRA_HD]: Number.POSITIVE_INFINITY,
};

/** The cap from StreamContent's allowed renditions and max quality (the stricter of the two). */
export function planCap(renditions: RenditionInfo[], maxQuality: VideoQuality): Cap {
  const byQuality = QUALITY_HEIGHT[maxQuality] ?? Number.POSITIVE_INFINITY;
  const allowed = renditions.filter((r) => r.height <= byQuality);
  if (allowed.length === 0) return { maxHeight: byQuality, maxBitrateKbps: -1 };
  const maxHeight = Math.min(byQuality, Math.max(...allowed.map((r) => r.height)));
  const topBps = Math.max(...allowed.map((r) => Number(r.bitrateBps)));
  // 10% headroom: the manifest's @bandwidth may round differently from the rendition list.
  return { maxHeight, maxBitrateKbps: topBps > 0 ? Math.ceil((topBps * 1.1) / 1000) : -1 };
}
