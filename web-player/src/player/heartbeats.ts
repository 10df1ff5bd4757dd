/**
 * When to take playback readings and when to report them: a reading every
 * heartbeat interval, reported together (SendHeartbeats) about every report
 * interval; a reading reported at once on start, pause, play, quality change,
 * the start of a rebuffer (stall or video freeze), a settled burst of seeks and stop; on page hide one reported with keepalive
 * so it survives the unload, and when the page goes for good a last, STOPPED
 * one in the same report, which ends the session. A report that fails keeps
 * its readings for the next one, so a network loss loses nothing (up to
 * MAX_QUEUED).
 * Pure: time, timers and the transport come in as functions.
 */

export type HeartbeatState = "playing" | "paused" | "buffering" | "seeking" | "stopped";
export type HeartbeatReason =
  | "start"
  | "interval"
  | "pause"
  | "play"
  | "seek"
  | "stop"
  | "hide"
  | "quality"
  | "rebuffer";
/** Reasons to report at once rather than with the next report (a rebuffer: a stall or a video freeze began). */
export type UrgentReason = "start" | "pause" | "play" | "seek" | "quality" | "rebuffer";

/** The most readings one SendHeartbeats call takes, and so the most kept while reports fail. */
export const MAX_QUEUED = 120;

/** What the player reports at the moment of a reading. */
export interface PlayerReading {
  positionSeconds: number;
  state: HeartbeatState;
  renditionId: string;
  bitrateBps: number;
  bufferSeconds: number;
  droppedFrames: number;
  throughputBps: number;
  /** Time stalled since the first frame, ms (the QoE view's rebuffer ratio). */
  rebufferMs?: number | undefined;
  /** From the play request to the first frame, ms, once it showed. */
  startupMs?: number | undefined;
}

export interface Heartbeat extends PlayerReading {
  /** From 1, one more per reading of the session. */
  sequence: number;
  eventTimeMs: number;
  reason: HeartbeatReason;
}

/** A report's answer: new intervals, and how much of a bounded (keepalive) report went out. */
export interface ReportAnswer {
  intervalMs?: number | undefined;
  reportIntervalMs?: number | undefined;
  /** How many of the newest readings went out, when fewer than all did. */
  sent?: number | undefined;
}

export interface HeartbeatDeps {
  /** How often to take a reading. */
  intervalMs: number;
  /** How often to report the readings taken. */
  reportIntervalMs: number;
  now: () => number;
  read: () => PlayerReading;
  /** Reports readings (ascending sequence) in one call; rejects if it failed. `keepalive` when the page is going away. */
  send: (beats: readonly Heartbeat[], keepalive: boolean) => Promise<ReportAnswer | undefined>;
  /** Whether a failure is a refusal no retry can change (its readings are dropped) rather than a lost report. */
  refused?: (err: unknown) => boolean;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (handle: unknown) => void;
  /** Seeks within this window are reported once, when they settle. */
  seekSettleMs?: number;
  onError?: (err: unknown, beats: readonly Heartbeat[]) => void;
}

/** Clamps a reading into what a heartbeat reading accepts (non-negative, buffer at most 600 s, whole numbers). */
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
    ...(r.rebufferMs === undefined ? {} : { rebufferMs: Math.round(nonNegative(r.rebufferMs)) }),
    ...(r.startupMs === undefined ? {} : { startupMs: Math.round(nonNegative(r.startupMs)) }),
  };
}

/** Which reading a full queue gives up first: clock readings while playing say least, event readings most. */
function dropRank(beat: Heartbeat): number {
  if (beat.reason !== "interval") return 2;
  return beat.state === "playing" ? 0 : 1;
}

const saneInterval = (ms: number | undefined): ms is number =>
  ms !== undefined && ms >= 1_000 && ms <= 120_000;

export class HeartbeatScheduler {
  readonly #deps: HeartbeatDeps;
  #intervalMs: number;
  #reportIntervalMs: number;
  #sequence = 0;
  /** Readings not yet accepted, in ascending sequence. */
  #queue: Heartbeat[] = [];
  #takenSinceReport = 0;
  #inFlight: Promise<void> | undefined;
  #followUp: Promise<void> | undefined;
  #timer: unknown;
  #seekTimer: unknown;
  #running = false;
  #stopped = false;
  #stopAccepted = false;

  constructor(deps: HeartbeatDeps) {
    this.#deps = deps;
    this.#intervalMs = deps.intervalMs;
    this.#reportIntervalMs = deps.reportIntervalMs;
  }

  get sequence(): number {
    return this.#sequence;
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  get reportIntervalMs(): number {
    return this.#reportIntervalMs;
  }

  get running(): boolean {
    return this.#running;
  }

  /** A report with the STOPPED reading was accepted: the server ended the session (a StopStream would be refused). */
  get stopAccepted(): boolean {
    return this.#stopAccepted;
  }

  /** Reports the first reading and starts the interval. */
  start(): void {
    if (this.#running || this.#stopped) return;
    this.#running = true;
    void this.beat("start");
  }

  /** Takes a reading now and reports it with those queued (and restarts the reading interval from now). */
  beat(reason: UrgentReason): Promise<void> {
    if (!this.#running) return Promise.resolve();
    this.#schedule();
    this.#take(reason);
    return this.#report();
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

  /** Reports the queued readings and a last, STOPPED one, and stops. */
  stop(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    this.#end();
    return this.#report();
  }

  /**
   * Reports the queued readings and one more with keepalive, without stopping (the page may come
   * back from the bfcache). It does not wait for a report in flight: the page may be gone by then,
   * and the server drops readings it already has.
   */
  hidden(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    this.#take("hide");
    this.#takenSinceReport = 0;
    return this.#deliver([...this.#queue], true);
  }

  /** On pagehide: a page kept in the bfcache (`persisted`) may come back, so its session stays open. */
  pageHide(persisted: boolean): Promise<void> {
    return persisted ? this.hidden() : this.#unload();
  }

  /**
   * The page is going away for good: one keepalive report of the queued readings and a last,
   * STOPPED one, which ends the session (a StopStream of its own could overtake the report and
   * get it refused). Like hidden() it does not wait for a report in flight. Before start it still
   * reports the STOPPED reading, so the session ends; after stop it sends again what stop's report
   * has not had accepted yet, as a report unanswered when the page goes is lost.
   */
  #unload(): Promise<void> {
    if (!this.#stopped) this.#end();
    if (this.#queue.length === 0) return Promise.resolve();
    return this.#deliver([...this.#queue], true);
  }

  #end(): void {
    this.#clear();
    this.#running = false;
    this.#stopped = true;
    this.#take("stop");
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
      this.#schedule();
      this.#tick();
    }, this.#intervalMs);
  }

  /**
   * Reports ride on the reading clock (every n-th reading), so a report carries the reading of its
   * moment; rounding down keeps them no further apart than the report interval.
   */
  #tick(): void {
    this.#take("interval");
    const every = Math.max(1, Math.floor(this.#reportIntervalMs / this.#intervalMs));
    if (this.#takenSinceReport >= every) void this.#report();
  }

  #take(reason: HeartbeatReason): void {
    const reading = sanitizeReading(this.#deps.read());
    // STOPPED ends the session, so only the last reading may say it; an ended video reads as paused till then.
    const still = reading.state === "stopped" ? "paused" : reading.state;
    this.#queue.push({
      ...reading,
      state: reason === "stop" ? "stopped" : still,
      sequence: ++this.#sequence,
      eventTimeMs: this.#deps.now(),
      reason,
    });
    this.#takenSinceReport += 1;
    if (this.#queue.length > MAX_QUEUED) this.#queue.splice(this.#overflowVictim(), 1);
  }

  #overflowVictim(): number {
    let victim = 0;
    let lowest = Number.POSITIVE_INFINITY;
    this.#queue.forEach((beat, i) => {
      const rank = dropRank(beat);
      if (rank < lowest) [victim, lowest] = [i, rank];
    });
    return victim;
  }

  /** One report in flight at a time: a report asked for meanwhile goes once that one is answered. */
  #report(): Promise<void> {
    this.#takenSinceReport = 0;
    if (this.#inFlight !== undefined) {
      this.#followUp ??= this.#inFlight.then(() => {
        this.#followUp = undefined;
        return this.#report();
      });
      return this.#followUp;
    }
    if (this.#queue.length === 0) return Promise.resolve();
    this.#inFlight = this.#deliver([...this.#queue], false).finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #deliver(batch: readonly Heartbeat[], keepalive: boolean): Promise<void> {
    try {
      const answer = await this.#deps.send(batch, keepalive);
      const sent = answer?.sent;
      const accepted = sent === undefined ? batch : batch.slice(Math.max(0, batch.length - sent));
      if (accepted.some((b) => b.state === "stopped")) this.#stopAccepted = true;
      this.#forget(accepted);
      this.#adopt(answer);
    } catch (err) {
      if (this.#deps.refused?.(err)) this.#forget(batch);
      this.#deps.onError?.(err, batch);
    }
  }

  #forget(beats: readonly Heartbeat[]): void {
    const gone = new Set(beats.map((b) => b.sequence));
    this.#queue = this.#queue.filter((b) => !gone.has(b.sequence));
  }

  #adopt(answer: ReportAnswer | undefined): void {
    const report = answer?.reportIntervalMs;
    if (saneInterval(report)) this.#reportIntervalMs = report;
    const next = answer?.intervalMs;
    if (saneInterval(next) && next !== this.#intervalMs) {
      this.#intervalMs = next;
      if (this.#running && this.#timer !== undefined) this.#schedule();
    }
  }
}
