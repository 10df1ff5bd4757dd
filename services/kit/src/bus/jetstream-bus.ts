import { hash } from "node:crypto";
import { AckPolicy, DeliverPolicy, type JsMsg, jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import type { BackendsConfig } from "../backends-config.js";
import { retryFields } from "../logger.js";
import { tracedHandle, tracedPublish } from "../tracing/bus.js";
import { tracerFor } from "../tracing/state.js";
import {
  type ConsumeOptions,
  DEDUPE_WINDOW_MS,
  type EventBus,
  redeliveryDelayMs,
  STREAMS,
  type StreamName,
  type Subscription,
  streamOf,
} from "./event-bus.js";
import { jetStreamPublisher } from "./jetstream-publisher.js";
import { connectNats, declareConsumer, declareStream, natsManager } from "./nats.js";

const NS_PER_MS = 1_000_000;

export interface JetStreamBusOptions {
  config: BackendsConfig["nats"];
  /** Connection name shown by the server, e.g. the service name. */
  name: string;
  log: Logger;
  /** Prefix for stream names and subjects, so tests can run beside a live deployment. */
  namespace?: string;
}

/**
 * Where PLAYBACK's subjects go when it is split into `shards` streams: subject
 * "playback.<rest>" is stored as "playback.<shard>.<rest>" in stream
 * PLAYBACK_<shard>, the shard a hash of the subject, so one session's
 * reports (one subject) stay in one stream, in order, deduplicated.
 */
function playbackShard(subject: string, shards: number): number {
  return hash("sha1", subject, "buffer").readUInt32BE(0) % shards;
}

interface StreamPart {
  name: string;
  subject: (subject: string) => string;
}

const withShard = (subject: string, shard: number) => {
  const dot = subject.indexOf(".");
  return `${subject.slice(0, dot)}.${shard}${subject.slice(dot)}`;
};

const withoutShard = (subject: string) => {
  const first = subject.indexOf(".");
  return subject.slice(0, first) + subject.slice(subject.indexOf(".", first + 1));
};

/**
 * The event bus on NATS JetStream: streams declared idempotently at start,
 * publishes deduplicated by msgID, durable pull consumers with explicit acks
 * sent only after the handler finished. With `config.playbackShards` > 1 the
 * PLAYBACK stream is that many streams (see playbackShard); consumers read
 * them all, and publishers and consumers see the unsharded subjects.
 */
export async function createJetStreamBus(opts: JetStreamBusOptions): Promise<EventBus> {
  const ns = opts.namespace ? `${opts.namespace}.` : "";
  const shards = opts.config.playbackShards ?? 1;
  const sharded = (stream: StreamName) => stream === "PLAYBACK" && shards > 1;
  const streamName = (stream: StreamName, shard?: number) =>
    (opts.namespace ? `${opts.namespace.toUpperCase()}_${stream}` : stream) +
    (shard === undefined ? "" : `_${shard}`);
  /** Each stream that holds `stream`'s events: its name and how a subject is written in it. */
  const partsOf = (stream: StreamName): StreamPart[] =>
    sharded(stream)
      ? Array.from({ length: shards }, (_, i) => ({
          name: streamName(stream, i),
          subject: (s: string) => ns + withShard(s, i),
        }))
      : [{ name: streamName(stream), subject: (s: string) => ns + s }];
  const nc: NatsConnection = await connectNats(opts.config, opts.name);
  const jsm = await natsManager(nc);
  for (const [stream, subjects] of Object.entries(STREAMS)) {
    for (const part of partsOf(stream as StreamName)) {
      await declareStream(jsm, {
        name: part.name,
        subjects: subjects.map(part.subject),
        duplicate_window: DEDUPE_WINDOW_MS * NS_PER_MS,
        num_replicas: opts.config.replicas,
      });
    }
  }
  const js = jetstream(nc);
  // While the process traces: trace context in the messages' headers, a span per publish and per delivery.
  const tracer = tracerFor(opts.name);

  /** One durable consumer on one stream of `c.stream`. */
  const consumeStream = async (
    c: ConsumeOptions,
    part: StreamPart,
    maxInFlight: number,
  ): Promise<Subscription> => {
    const unshard = sharded(c.stream) ? withoutShard : (s: string) => s;
    await declareConsumer(jsm, part.name, {
      durable_name: c.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ...(c.filter === undefined ? {} : { filter_subject: part.subject(c.filter) }),
      max_ack_pending: maxInFlight,
      ack_wait: (c.ackWaitMs ?? 30_000) * NS_PER_MS,
    });
    const consumer = await js.consumers.get(part.name, c.durable);
    const messages = await consumer.consume({ max_messages: maxInFlight });
    const running = new Set<Promise<void>>();
    const handle = async (m: JsMsg) => {
      try {
        const event = {
          subject: unshard(m.subject.slice(ns.length)),
          data: m.data,
          msgId: m.headers?.get("Nats-Msg-Id") ?? `${part.name}:${m.seq}`,
          publishTime: new Date(Number(m.info.timestampNanos) / 1e6),
          deliveryCount: m.info.deliveryCount,
        };
        await (tracer === undefined
          ? c.handler(event)
          : tracedHandle(
              tracer,
              { system: "nats", stream: c.stream },
              c.durable,
              event,
              (name) => m.headers?.get(name),
              () => c.handler(event),
            ));
        // A plain ack (no confirmation round trip): a lost ack only means a redelivery, which
        // at-least-once handlers absorb; confirming each one cost more CPU than the handling.
        m.ack();
      } catch (err) {
        opts.log.warn(
          { ...retryFields(err), subject: m.subject, durable: c.durable },
          "event handler failed; redelivering",
        );
        m.nak(redeliveryDelayMs(m.info.deliveryCount));
      }
    };
    const loop = (async () => {
      for await (const m of messages) {
        const p = handle(m).finally(() => running.delete(p));
        running.add(p);
        if (running.size >= maxInFlight) await Promise.race(running);
      }
      await Promise.all(running);
    })();
    return {
      async stop() {
        await messages.close();
        await loop;
      },
    };
  };

  const publisher = jetStreamPublisher(nc);

  return {
    async publish(subject, data, msgId) {
      const stream = streamOf(subject);
      const stored = ns + (sharded(stream) ? withShard(subject, playbackShard(subject, shards)) : subject);
      await (tracer === undefined
        ? publisher.publish(stored, data, msgId)
        : tracedPublish(tracer, { system: "nats", stream }, subject, msgId, (headers) =>
            publisher.publish(stored, data, msgId, headers),
          ));
    },

    async consume(c: ConsumeOptions): Promise<Subscription> {
      const parts = partsOf(c.stream);
      const maxInFlight = Math.ceil((c.maxInFlight ?? 1) / parts.length);
      const subscriptions = await Promise.all(parts.map((part) => consumeStream(c, part, maxInFlight)));
      return {
        async stop() {
          await Promise.all(subscriptions.map((s) => s.stop()));
          await nc.flush();
        },
      };
    },

    async close() {
      await nc.drain();
      publisher.close();
    },
  };
}
