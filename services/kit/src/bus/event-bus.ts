/**
 * The event bus port: durable streams of events with at-least-once delivery
 * to durable consumers. Real adapter: NATS JetStream; embedded: classic-level.
 */
export interface BusEvent {
  subject: string;
  data: Uint8Array;
  /** The publisher's id for the event; a repeat within the dedupe window is dropped. */
  msgId: string;
  publishTime: Date;
  /** 1 on first delivery, more on redelivery. */
  deliveryCount: number;
}

/** Resolve to acknowledge; throw to have the event delivered again later. */
export type EventHandler = (event: BusEvent) => Promise<void>;

export interface ConsumeOptions {
  stream: StreamName;
  /** Durable consumer name: delivery resumes where this consumer left off. */
  durable: string;
  /** Only subjects matching this NATS-style pattern ("user.*", "playback.>"). Default: the whole stream. */
  filter?: string;
  handler: EventHandler;
  /** Events handled at once (default 1: in order). */
  maxInFlight?: number;
  /**
   * How long a delivered event may go unacknowledged before it is offered
   * again (default 30 s): after a consumer process dies, its events wait this
   * long. JetStream only; the embedded bus lives and dies with its consumers.
   */
  ackWaitMs?: number;
}

export interface Subscription {
  /** Stops taking events and waits for those being handled. */
  stop(): Promise<void>;
}

export interface EventBus {
  publish(subject: string, data: Uint8Array, msgId: string): Promise<void>;
  consume(opts: ConsumeOptions): Promise<Subscription>;
  close(): Promise<void>;
}

/** Marquee's two streams and the subjects each holds (see ARCHITECTURE.md, "Events"). */
export const STREAMS = {
  PLAYBACK: ["playback.>"],
  DOMAIN: ["user.>", "profile.>", "content.>", "rating.>", "subscription.>"],
} as const;

export type StreamName = keyof typeof STREAMS;

/** How long a repeated msgId is recognised as a duplicate. */
export const DEDUPE_WINDOW_MS = 2 * 60_000;

/**
 * Delay before an event whose handler failed is offered again: doubling from
 * half a second up to 30 s, so a dependency that is down for a while is not
 * hammered (nor the log flooded) while its events wait.
 */
export function redeliveryDelayMs(deliveryCount: number): number {
  return Math.min(500 * 2 ** Math.max(0, deliveryCount - 1), 30_000);
}

/** NATS subject matching: "*" one token, ">" the rest. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split(".");
  const s = subject.split(".");
  for (let i = 0; i < p.length; i++) {
    if (p[i] === ">") return s.length > i;
    if (i >= s.length || (p[i] !== "*" && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

export function streamOf(subject: string): StreamName {
  for (const [stream, subjects] of Object.entries(STREAMS)) {
    if (subjects.some((pattern) => subjectMatches(pattern, subject))) return stream as StreamName;
  }
  throw new Error(`no stream holds subject ${subject}`);
}
