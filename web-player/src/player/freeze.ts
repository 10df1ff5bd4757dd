/**
 * Video freezes: the picture stops while playback says it is playing. Under
 * a falling link the video buffer can run dry while audio keeps going; no
 * `waiting` event fires and `currentTime` moves on, yet the viewer sees a
 * still frame. A freeze is a stretch, while playing, in which the count of
 * decoded frames (`getVideoPlaybackQuality().totalVideoFrames`) does not move
 * and either the video buffer at the playhead is exhausted or the frames have
 * been still for `stillMs`. It is counted as a rebuffer, like a stall.
 * Pure: fed with samples, by the player live and by the benchmark afterwards.
 */

export interface FrameSample {
  /** Milliseconds on one clock (performance.now()). */
  t: number;
  /** Decoded video frames so far. */
  frames: number;
  /** Seconds of video buffered ahead of the playhead. */
  videoAheadSeconds: number;
  /** Playing as far as the media element says: not paused, not seeking, not ended. */
  playing: boolean;
}

export interface Interval {
  start: number;
  /** Undefined while it lasts. */
  end: number | undefined;
}

export interface FreezeOptions {
  /** Frames still this long with buffer left is a freeze too (decoder starved or stuck). */
  stillMs?: number;
  /** Video ahead of the playhead below this is an exhausted buffer. */
  exhaustedSeconds?: number;
  /** Freezes shorter than this are not counted: from the last sample whose frames moved to the next, so one still sample (a late frame, timer jitter on a busy machine) is not a freeze, two are. */
  minMs?: number;
}

const DEFAULTS: Required<FreezeOptions> = { stillMs: 1000, exhaustedSeconds: 0.1, minMs: 600 };

/** Incremental detector: push samples in time order; it reports freezes as they start and end. */
export class FreezeDetector {
  readonly #o: Required<FreezeOptions>;
  #lastFrames = -1;
  /** When the frame count last moved (or playback (re)started). */
  #movedAt = 0;
  #wasPlaying = false;
  #open: Interval | undefined;

  constructor(options: FreezeOptions = {}) {
    this.#o = { ...DEFAULTS, ...options };
  }

  /** The freeze under way, if any. */
  get current(): Interval | undefined {
    return this.#open;
  }

  /** Takes a sample; returns a freeze that ended with it (at least minMs long), if one did. */
  push(s: FrameSample): Interval | undefined {
    const moved = s.frames !== this.#lastFrames;
    this.#lastFrames = s.frames;
    if (!s.playing) {
      // Pause, seek or end: not a freeze, and stillness is counted afresh from the next play.
      const ended = this.#close(s.t);
      this.#wasPlaying = false;
      return ended;
    }
    if (!this.#wasPlaying) {
      this.#wasPlaying = true;
      this.#movedAt = s.t;
      return undefined;
    }
    if (moved) {
      this.#movedAt = s.t;
      return this.#close(s.t);
    }
    const exhausted = s.videoAheadSeconds < this.#o.exhaustedSeconds;
    if (this.#open === undefined && (exhausted || s.t - this.#movedAt >= this.#o.stillMs)) {
      // The picture has been still since the last frame that moved.
      this.#open = { start: this.#movedAt, end: undefined };
    }
    return undefined;
  }

  #close(t: number): Interval | undefined {
    const open = this.#open;
    this.#open = undefined;
    if (open === undefined || t - open.start < this.#o.minMs) return undefined;
    return { start: open.start, end: t };
  }
}

/** Every freeze in a recorded series of samples (one still under way at the end is closed there). */
export function detectFreezes(samples: readonly FrameSample[], options: FreezeOptions = {}): Interval[] {
  const detector = new FreezeDetector(options);
  const out: Interval[] = [];
  for (const s of samples) {
    const ended = detector.push(s);
    if (ended) out.push(ended);
  }
  const open = detector.current;
  const last = samples.at(-1);
  if (open && last && last.t - open.start >= (options.minMs ?? DEFAULTS.minMs))
    out.push({ start: open.start, end: last.t });
  return out;
}

/** Joins overlapping intervals (a stall and a freeze at once are one rebuffer), in start order. */
export function mergeIntervals(intervals: readonly Interval[], now: number): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out.at(-1);
    const end = i.end ?? now;
    if (last && i.start <= (last.end ?? now)) {
      last.end = Math.max(last.end ?? now, end);
    } else out.push({ start: i.start, end });
  }
  return out;
}
