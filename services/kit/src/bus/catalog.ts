import {
  create,
  type DescMessage,
  fromBinary,
  type MessageInitShape,
  type MessageShape,
  toBinary,
} from "@bufbuild/protobuf";
import {
  ContentVisibilityChangedSchema,
  PlaybackReportSchema,
  ProfileDeletedSchema,
  RatingSubmittedSchema,
  SubscriptionChangedSchema,
  UserDeletedSchema,
} from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import type { Logger } from "pino";
import {
  type BusEvent,
  type ConsumeOptions,
  type EventBus,
  type StreamName,
  type Subscription,
  subjectMatches,
} from "./event-bus.js";

/**
 * One kind of event: its subject (or, for keyed events, the subject's prefix,
 * one token per key), its message type and its stream. Every subject Marquee
 * publishes or consumes is declared once, here.
 */
export interface EventKind<D extends DescMessage = DescMessage, N extends string = string> {
  readonly name: N;
  readonly schema: D;
  readonly stream: StreamName;
  /** The pattern matching every subject of this kind ("user.deleted", "playback.heartbeat.>"). */
  readonly pattern: string;
  /** The subject one event is published on; keyed kinds take their key (e.g. the profile id). */
  subject(key?: string): string;
}

function kind<D extends DescMessage, N extends string>(
  name: N,
  subject: string,
  schema: D,
  stream: StreamName,
): EventKind<D, N> {
  return { name, schema, stream, pattern: subject, subject: () => subject };
}

function keyed<D extends DescMessage, N extends string>(
  name: N,
  prefix: string,
  schema: D,
  stream: StreamName,
): EventKind<D, N> {
  return {
    name,
    schema,
    stream,
    pattern: `${prefix}.>`,
    subject(key) {
      if (key === undefined || key === "" || /[.*> \s]/.test(key))
        throw new Error(`${name} needs a subject key without dots, wildcards or spaces (got "${key}")`);
      return `${prefix}.${key}`;
    },
  };
}

/** The event catalog (see ARCHITECTURE.md, "Events"). */
export const EVENTS = {
  /** A member's account is gone, with every profile it had. */
  userDeleted: kind("userDeleted", "user.deleted", UserDeletedSchema, "DOMAIN"),
  /** One profile is gone. */
  profileDeleted: kind("profileDeleted", "profile.deleted", ProfileDeletedSchema, "DOMAIN"),
  contentPublished: kind("contentPublished", "content.published", ContentVisibilityChangedSchema, "DOMAIN"),
  contentUnpublished: kind(
    "contentUnpublished",
    "content.unpublished",
    ContentVisibilityChangedSchema,
    "DOMAIN",
  ),
  ratingSubmitted: kind("ratingSubmitted", "rating.submitted", RatingSubmittedSchema, "DOMAIN"),
  subscriptionChanged: kind(
    "subscriptionChanged",
    "subscription.changed",
    SubscriptionChangedSchema,
    "DOMAIN",
  ),
  /**
   * One event per accepted heartbeat report (its readings: `readingsOf`). Keyed by profile id:
   * one profile's events stay in one subject (and one shard).
   */
  playbackReport: keyed("playbackReport", "playback.heartbeat", PlaybackReportSchema, "PLAYBACK"),
} as const;

/** Puts one event of a kind on the bus; `key` is the subject key of keyed kinds. */
export function publishEvent<D extends DescMessage>(
  bus: Pick<EventBus, "publish">,
  kind: EventKind<D, string>,
  message: MessageInitShape<D>,
  msgId: string,
  key?: string,
): Promise<void> {
  return bus.publish(kind.subject(key), encodeEvent(kind, message), msgId);
}

/** The wire bytes of an event (for publishers that batch or hold events in an outbox). */
export function encodeEvent<D extends DescMessage>(
  kind: EventKind<D>,
  message: MessageInitShape<D>,
): Uint8Array {
  return toBinary(kind.schema, create(kind.schema, message));
}

/** An event as its consumer sees it: which kind, its decoded message, and the bus's envelope. */
export type TypedEvent<K extends readonly EventKind[]> = Decoded<K[number]>;
type Decoded<E> =
  E extends EventKind<infer D, infer N> ? { kind: N; message: MessageShape<D>; event: BusEvent } : never;

export interface ConsumeEventsOptions<K extends readonly EventKind[]>
  extends Omit<ConsumeOptions, "stream" | "filter" | "handler"> {
  kinds: K;
  /** Where an event that does not decode is reported (it is then dropped: it will never decode). */
  log: Logger;
  /** Resolve to acknowledge; throw to have the event delivered again later. */
  handler: (event: TypedEvent<K>) => Promise<void>;
}

/**
 * Consumes the given kinds (all on one stream) with their messages decoded.
 * The durable consumer's filter is the narrowest single pattern covering them
 * ("user.deleted" + "profile.deleted" → "*.deleted"); an event of another
 * subject that pattern lets through is acknowledged unread.
 */
export function consumeEvents<const K extends readonly EventKind[]>(
  bus: Pick<EventBus, "consume">,
  opts: ConsumeEventsOptions<K>,
): Promise<Subscription> {
  const { kinds, handler, log, ...rest } = opts;
  const stream = kinds[0]?.stream;
  if (stream === undefined || kinds.some((k) => k.stream !== stream))
    throw new Error("consumeEvents takes one or more kinds of one stream");
  const match = (subject: string) => kinds.find((k) => subjectMatches(k.pattern, subject));
  return bus.consume({
    ...rest,
    stream,
    filter: coveringPattern(kinds.map((k) => k.pattern)),
    handler: async (event) => {
      const k = match(event.subject);
      if (k === undefined) return;
      let message: MessageShape<DescMessage>;
      try {
        message = fromBinary(k.schema, event.data);
      } catch (err) {
        log.error({ err, subject: event.subject, msgId: event.msgId }, "undecodable event dropped");
        return;
      }
      await handler({ kind: k.name, message, event } as TypedEvent<K>);
    },
  });
}

/** Patterns of equal length merged token by token: where they differ, "*". */
function coveringPattern(patterns: string[]): string {
  const split = patterns.map((p) => p.split("."));
  const first = split[0] as string[];
  if (split.some((p) => p.length !== first.length))
    throw new Error(`no single filter covers ${patterns.join(", ")}`);
  return first.map((token, i) => (split.every((p) => p[i] === token) ? token : "*")).join(".");
}
