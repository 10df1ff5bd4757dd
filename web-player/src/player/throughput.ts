/**
 * Throughput estimate from segment downloads: two exponentially weighted
 * moving averages (a fast one that follows a drop within a segment or two, a
 * slow one that ignores a lucky burst), and the estimate is the lower of the
 * two — the idea of Shaka Player's EWMA estimator. Unlike Shaka, each segment
 * weighs the same rather than by its download time: by time, the long
 * downloads of a bad minute outweigh the short ones after it, and the
 * estimate took some 20 s to recover from a drop (measured in simulation on
 * the benchmark's patterns). Latency (request to first byte) is averaged
 * apart, so small and large segments measure the same link. Pure: samples
 * come in, figures go out.
 */

export interface DownloadSample {
  bytes: number;
  /** Request sent → first byte, ms. */
  latencyMs: number;
  /** First byte → last byte, ms. */
  transferMs: number;
}

class Ewma {
  #estimate = 0;
  #totalWeight = 0;
  readonly #alpha: number;

  constructor(halfLifeSamples: number) {
    this.#alpha = Math.exp(Math.log(0.5) / halfLifeSamples);
  }

  add(weight: number, value: number): void {
    const adj = this.#alpha ** weight;
    this.#estimate = value * (1 - adj) + adj * this.#estimate;
    this.#totalWeight += weight;
  }

  /** Zero-bias corrected (the average starts at 0). */
  get value(): number {
    return this.#totalWeight === 0 ? 0 : this.#estimate / (1 - this.#alpha ** this.#totalWeight);
  }
}

/**
 * Transfers shorter than this are counted as this long: the clocks tick in milliseconds, and on a
 * fast link (loopback) a whole segment arrives in less — still a sample, just a bounded one.
 */
const MIN_TRANSFER_MS = 5;
/** Segments smaller than this (init segments, cache hits) are not measured. */
const MIN_BYTES = 16_000;

export class ThroughputEstimator {
  readonly #fast = new Ewma(1.5);
  readonly #slow = new Ewma(4);
  readonly #latency = new Ewma(3);
  #samples = 0;

  /** Adds a download; returns false when it was too small to measure anything. */
  add(s: DownloadSample): boolean {
    if (s.bytes < MIN_BYTES) return false;
    const bps = (s.bytes * 8 * 1000) / Math.max(MIN_TRANSFER_MS, s.transferMs);
    this.#fast.add(1, bps);
    this.#slow.add(1, bps);
    this.#latency.add(1, Math.max(0, s.latencyMs));
    this.#samples += 1;
    return true;
  }

  get samples(): number {
    return this.#samples;
  }

  /** Bits per second; undefined before the first sample. */
  get bps(): number | undefined {
    return this.#samples === 0 ? undefined : Math.min(this.#fast.value, this.#slow.value);
  }

  get latencyMs(): number {
    return this.#samples === 0 ? 0 : this.#latency.value;
  }
}

/** The parts of a dash.js FragmentRequest the meter reads. */
export interface SegmentRequest {
  mediaType?: string;
  type?: string;
  bytesLoaded?: number;
  startDate?: Date | null;
  firstByteDate?: Date | null;
  endDate?: Date | null;
}

/**
 * The link as the ABR sees it: video segment downloads feed the estimator when they end (done or
 * abandoned), and while one is under way its rate so far is kept, so a link that collapses
 * mid-segment is seen once that download has run a second, not only when it ends.
 */
export class LinkMeter {
  readonly #estimator = new ThroughputEstimator();
  /** The download under way: bytes so far and ms since its first byte. */
  #inflight: { bytes: number; transferMs: number } | undefined;

  /** Takes a progress (`ended` false) or end of a request; returns the new estimate when it changed. */
  observe(r: SegmentRequest | undefined, ended: boolean, nowMs: number): number | undefined {
    if (r?.mediaType !== "video" || r.type !== "MediaSegment" || !r.startDate || !r.firstByteDate)
      return undefined;
    const bytes = Number(r.bytesLoaded);
    if (!(bytes > 0)) return undefined;
    const transferMs = (r.endDate && ended ? r.endDate.getTime() : nowMs) - r.firstByteDate.getTime();
    if (!ended) {
      this.#inflight = { bytes, transferMs };
      return undefined;
    }
    this.#inflight = undefined;
    const added = this.#estimator.add({
      bytes,
      latencyMs: r.firstByteDate.getTime() - r.startDate.getTime(),
      transferMs,
    });
    return added ? this.#estimator.bps : undefined;
  }

  /** The estimate from finished downloads, bits/s. */
  get estimateBps(): number | undefined {
    return this.#estimator.bps;
  }

  get latencyMs(): number {
    return this.#estimator.latencyMs;
  }

  /** The estimate, or the rate of the download under way when that has run a second and is slower. */
  bps(): number | undefined {
    const est = this.#estimator.bps;
    const f = this.#inflight;
    if (!f || f.transferMs < 1000) return est;
    const now = (f.bytes * 8 * 1000) / f.transferMs;
    return est === undefined ? now : Math.min(est, now);
  }
}
