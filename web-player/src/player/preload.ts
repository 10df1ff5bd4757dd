/**
 * Getting ready to play before Play is pressed: the dash.js chunk and the
 * controls' web components are fetched and evaluated when a details page or
 * a row of titles is shown, and the app
 * keeps a throughput estimate — from its own large downloads (that chunk is
 * one) and from the last playback — so the first rendition can be chosen
 * before any segment was measured. navigator.connection is never read: no
 * real network hands a player its bandwidth.
 */

type DashModule = typeof import("dashjs");

let engine: Promise<DashModule> | undefined;

/** The dash.js module, fetched once; call it early and await it when playing. */
export function loadEngine(): Promise<DashModule> {
  engine ??= import("dashjs").catch((err: unknown) => {
    engine = undefined;
    throw err;
  });
  return engine;
}

let controls: Promise<unknown> | undefined;

/** Defines the controls' web components (media-chrome), fetched once; call it early and await it when playing. */
export function loadControls(): Promise<unknown> {
  controls ??= import("./chrome-elements.js").catch((err: unknown) => {
    controls = undefined;
    throw err;
  });
  return controls;
}

/** Fetches the player code in the background (idempotent, never throws). */
export function preloadPlayer(): void {
  loadEngine().catch(() => undefined);
  loadControls().catch(() => undefined);
}

const STORE_KEY = "marquee.throughput";
/** An estimate older than this says little about the link now. */
const MAX_AGE_MS = 10 * 60_000;
/** Downloads smaller than this are mostly latency, not throughput. */
const MIN_BYTES = 100_000;

interface Stored {
  bps: number;
  at: number;
}

/** Remembers the last playback's throughput for the next start. */
export function rememberThroughput(bps: number): void {
  if (!(bps > 0)) return;
  try {
    localStorage.setItem(
      STORE_KEY,
      JSON.stringify({ bps: Math.round(bps), at: Date.now() } satisfies Stored),
    );
  } catch {
    // Storage full or refused: the next start measures again.
  }
}

/**
 * Bits/s, from the newest of: the app's own large downloads on this page (Resource Timing,
 * body bytes over transfer time), and the last playback's estimate. Undefined when neither is recent.
 */
export function knownThroughput(): number | undefined {
  const candidates: { bps: number; at: number }[] = [];
  try {
    const stored = JSON.parse(localStorage.getItem(STORE_KEY) ?? "null") as Stored | null;
    if (stored && stored.bps > 0 && Date.now() - stored.at < MAX_AGE_MS) candidates.push(stored);
  } catch {
    // Unreadable: ignored.
  }
  const origin = performance.timeOrigin;
  for (const e of performance.getEntriesByType("resource") as PerformanceResourceTiming[]) {
    const transferMs = e.responseEnd - e.responseStart;
    // encodedBodySize is what crossed the wire (compressed); 0 for cached or opaque responses.
    if (e.encodedBodySize < MIN_BYTES || transferMs <= 0) continue;
    candidates.push({ bps: (e.encodedBodySize * 8 * 1000) / transferMs, at: origin + e.responseEnd });
  }
  candidates.sort((a, b) => b.at - a.at);
  const newest = candidates[0];
  return newest && Date.now() - newest.at < MAX_AGE_MS ? newest.bps : undefined;
}
