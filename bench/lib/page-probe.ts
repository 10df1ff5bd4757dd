/**
 * The same outside view of every player in the benchmark, injected into the
 * page before any of its scripts run: when the member pressed (pointerdown),
 * when the first frame was shown (requestVideoFrameCallback), stalls the
 * media element announced, and every SAMPLE_MS the decoded and dropped frame
 * counts, the picture height on screen, whether it is playing and how much
 * video (the video SourceBuffer, not the audio) is buffered ahead.
 */

interface ProbeSample {
  t: number;
  frames: number;
  dropped: number;
  height: number;
  playing: boolean;
  videoAhead: number;
}

export interface PageProbe {
  clickAt?: number;
  firstFrameAt?: number;
  samples: ProbeSample[];
  stalls: { start: number; end?: number }[];
}

/** Runs in the page (Playwright addInitScript): no imports, no closures over this module. */
export function installProbe(sampleMs: number): void {
  const probe: PageProbe = { samples: [], stalls: [] };
  (globalThis as unknown as { __bench: PageProbe }).__bench = probe;
  document.addEventListener(
    "pointerdown",
    () => {
      probe.clickAt ??= performance.now();
    },
    true,
  );
  let videoBuffer: SourceBuffer | undefined;
  const add = MediaSource.prototype.addSourceBuffer;
  MediaSource.prototype.addSourceBuffer = function (this: MediaSource, type: string) {
    const sb = add.call(this, type);
    if (/^video\//.test(type)) videoBuffer = sb;
    return sb;
  };
  let video: HTMLVideoElement | undefined;
  const ahead = (v: HTMLVideoElement) => {
    try {
      const r = videoBuffer?.buffered;
      if (!r) return 0;
      for (let i = 0; i < r.length; i++) {
        if (r.start(i) <= v.currentTime + 0.05 && r.end(i) > v.currentTime) return r.end(i) - v.currentTime;
      }
    } catch {
      // The SourceBuffer was removed (player torn down).
    }
    return 0;
  };
  const hook = (v: HTMLVideoElement) => {
    v.requestVideoFrameCallback(() => {
      probe.firstFrameAt ??= performance.now();
    });
    v.addEventListener("waiting", () => {
      if (probe.firstFrameAt !== undefined && !v.seeking) probe.stalls.push({ start: performance.now() });
    });
    v.addEventListener("playing", () => {
      const last = probe.stalls.at(-1);
      if (last && last.end === undefined) last.end = performance.now();
    });
  };
  const find = setInterval(() => {
    const v = document.querySelector("video");
    if (!v) return;
    video = v;
    hook(v);
    clearInterval(find);
  }, 20);
  setInterval(() => {
    if (!video || probe.firstFrameAt === undefined) return;
    const q = video.getVideoPlaybackQuality();
    probe.samples.push({
      t: performance.now(),
      frames: q.totalVideoFrames,
      dropped: q.droppedVideoFrames,
      height: video.videoHeight,
      playing: !video.paused && !video.seeking && !video.ended,
      videoAhead: ahead(video),
    });
  }, sampleMs);
}
