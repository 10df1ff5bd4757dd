/**
 * When to send playback heartbeats: every interval while a session is open,
 * at once on pause, play and stop, once after a burst of seeks settles, and a
 * last one on page hide (sent with keepalive so it survives the unload).
 * Pure: time, timers and the transport come in as functions.
 */

export type HeartbeatState = "playing" | "paused" | "buffering" | "seeking" | "stopped";
export type HeartbeatReason = "start" | "interval" | "pause" | "play" | "seek" | "stop" | "hide" | "quality";

/** What the player reports at the moment of a heartbeat. */
export interface PlayerReading {
  positionSeconds: number;
  state: HeartbeatState;
  renditionId: string;
  bitrateBps: number;
  bufferSeconds: number;
  droppedFrames: number;
  throughputBps: number;
}

export interface Heartbeat extends PlayerReading {
  /** From 1, one more per heartbeat of the session. */
  sequence: number;
  eventTimeMs: number;
  reason: HeartbeatReason;
}

export interface HeartbeatDeps {
  intervalMs: number;
  now: () => number;
  read: () => PlayerReading;
  /** Sends one heartbeat; may answer a new interval. `keepalive` when the page is going away. */
  send: (beat: Heartbeat, keepalive: boolean) => Promise<{ intervalMs?: number | undefined } | undefined>;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (handle: unknown) => void;
  /** Seeks within this window are reported once, when they settle. */
  seekSettleMs?: number;
  onError?: (err: unknown, beat: Heartbeat) => void;
}

/** Clamps a reading into what SendHeartbeat accepts (non-negative, buffer at most 600 s, whole numbers). */
export function sanitizeReading(r: PlayerReading): PlayerReading {
  const nonNegative = (n: number) => (Number.isFinite(n) && n > 0 ? n : 0);
  return {
    positionSeconds: nonNegative(r.positionSeconds),
    state: r.state,
    renditionId: r.renditionId.slice(0, 40),
    bitrateBps: Math.round(nonNegative(r.bitrateBps)),
    bufferSeconds: Math.min(600, nonNegative(r.bufferSeconds)),
    droppedFrames: Math.round(nonNegative(r.droppedFrames)),
    throughputBps: Math.round(nonNegative(r.throughputBps)),
  };
}

export class HeartbeatScheduler {
  readonly #deps: HeartbeatDeps;
  #intervalMs: number;
  #sequence = 0;
  #timer: unknown;
  #seekTimer: unknown;
  #running = false;
  #stopped = false;

  constructor(deps: HeartbeatDeps) {
    this.#deps = deps;
    this.#intervalMs = deps.intervalMs;
  }

  get sequence(): number {
    return this.#sequence;
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Sends the first heartbeat and starts the interval. */
  start(): void {
    if (this.#running || this.#stopped) return;
    this.#running = true;
    this.beat("start");
  }

  /** Sends a heartbeat now (and restarts the interval from now). */
  beat(reason: HeartbeatReason, keepalive = false): Promise<void> {
    if (!this.#running) return Promise.resolve();
    this.#schedule();
    return this.#send(reason, keepalive);
  }

  /** Reports a seek once the burst of seeks settles. */
  seeked(): void {
    if (!this.#running) return;
    if (this.#seekTimer !== undefined) this.#deps.clearTimer(this.#seekTimer);
    this.#seekTimer = this.#deps.setTimer(() => {
      this.#seekTimer = undefined;
      void this.beat("seek");
    }, this.#deps.seekSettleMs ?? 400);
  }

  /** Sends the last heartbeat (state stopped, or whatever the reading says on hide) and stops. */
  stop(reason: "stop" | "hide" = "stop"): Promise<void> {
    if (!this.#running) return Promise.resolve();
    this.#clear();
    const sent = this.#send(reason, reason === "hide");
    this.#running = false;
    this.#stopped = true;
    return sent;
  }

  /** Sends a keepalive heartbeat without stopping (the page may come back from the bfcache). */
  hidden(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    return this.#send("hide", true);
  }

  #clear(): void {
    if (this.#timer !== undefined) this.#deps.clearTimer(this.#timer);
    if (this.#seekTimer !== undefined) this.#deps.clearTimer(this.#seekTimer);
    this.#timer = undefined;
    this.#seekTimer = undefined;
  }

  #schedule(): void {
    if (this.#timer !== undefined) this.#deps.clearTimer(this.#timer);
    this.#timer = this.#deps.setTimer(() => {
      this.#timer = undefined;
      void this.beat("interval");
    }, this.#intervalMs);
  }

  async #send(reason: HeartbeatReason, keepalive: boolean): Promise<void> {
    const reading = sanitizeReading(this.#deps.read());
    const beat: Heartbeat = {
      ...reading,
      state: reason === "stop" ? "stopped" : reading.state,
      sequence: ++this.#sequence,
      eventTimeMs: this.#deps.now(),
      reason,
    };
    try {
      const answer = await this.#deps.send(beat, keepalive);
      const next = answer?.intervalMs;
      if (next !== undefined && next >= 1_000 && next <= 120_000 && next !== this.#intervalMs) {
        this.#intervalMs = next;
        if (this.#running && this.#timer !== undefined) this.#schedule();
      }
    } catch (err) {
      this.#deps.onError?.(err, beat);
    }
  }
}
