import { DEMO_POOL_SECONDS, DEMO_POOL_SIZE, demoPoolAssetId } from "@marquee/kit";
import { throwIfStopped } from "./ffmpeg.js";
import { syntheticAsset } from "./synthetic-asset.js";
import { readAsset } from "./transcode.js";

/** One clip of the demo pool (see @marquee/kit's demo-pool): a look of its own, a tone of its own. */
export interface PoolClip {
  /** Its key in the demo marker. */
  key: string;
  assetId: string;
  look: string;
  /** lavfi video graph making 1920x1080 frames, most drawn small and scaled up: generating at 1080p costs more than the ladder. */
  graph: string;
  toneHz: number;
}

const LOOKS: Array<{ look: string; graph: string }> = [
  { look: "Gradients", graph: "gradients=size=480x270:rate=25:speed=0.03,scale=1920:1080" },
  { look: "Rule 30", graph: "cellauto=size=480x270:rate=25:rule=30,scale=1920:1080:flags=neighbor" },
  { look: "Sierpinski", graph: "sierpinski=size=480x270:rate=25,scale=1920:1080:flags=neighbor" },
  { look: "Spectrum", graph: "colorspectrum=size=480x270:rate=25,hue=H=t,scale=1920:1080" },
  { look: "RGB Test", graph: "rgbtestsrc=size=1920x1080:rate=25" },
  { look: "PAL Bars", graph: "pal75bars=size=480x270:rate=25,hue=H=t/2,scale=1920:1080:flags=neighbor" },
  { look: "Test Card", graph: "testsrc=size=1920x1080:rate=25" },
  {
    look: "Green Life",
    graph:
      "life=size=480x270:rate=25:mold=25:ratio=0.2:death_color=#002010:life_color=#40f080,scale=1920:1080:flags=neighbor",
  },
  { look: "Fractal", graph: "mandelbrot=size=320x180:rate=25,scale=1920:1080" },
  { look: "YUV Test", graph: "yuvtestsrc=size=1920x1080:rate=25" },
];

/** Notes of a scale from middle C, one per clip: the pool sounds as different as it looks. */
const TONES_HZ = [262, 294, 330, 349, 392, 440, 494, 523, 587, 659];

export const POOL_CLIPS: PoolClip[] = Array.from({ length: DEMO_POOL_SIZE }, (_, i) => {
  const { look, graph } = LOOKS[i % LOOKS.length] as (typeof LOOKS)[number];
  return {
    key: `pool-${i + 1}`,
    assetId: demoPoolAssetId(i),
    look,
    graph,
    toneHz: TONES_HZ[i % TONES_HZ.length] as number,
  };
});

export interface PoolClipOptions {
  ffmpeg: string;
  mediaDir: string;
  preset: string;
  /** Default DEMO_POOL_SECONDS, the length the seeded titles' media records. */
  seconds?: number;
  onProgress?: (fraction: number, stage: string) => void;
  signal?: AbortSignal;
}

/**
 * Makes one pool clip under its fixed asset id through the ingest path
 * (synthetic source, then the DASH ladder, published by an atomic rename).
 * Nothing to do when the asset is there already. Returns whether it made it.
 */
export async function makePoolClip(clip: PoolClip, o: PoolClipOptions): Promise<boolean> {
  throwIfStopped(o.signal);
  if ((await readAsset(o.mediaDir, clip.assetId)) !== undefined) return false;
  await syntheticAsset({
    ffmpeg: o.ffmpeg,
    mediaDir: o.mediaDir,
    assetId: clip.assetId,
    preset: o.preset,
    seconds: o.seconds ?? DEMO_POOL_SECONDS,
    graph: clip.graph,
    toneHz: clip.toneHz,
    onProgress: o.onProgress,
    signal: o.signal,
  });
  return true;
}
