import { AckPolicy, DeliverPolicy, type JsMsg, jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import type { BackendsConfig } from "../backends-config.js";
import { connectNats, declareConsumer, declareStream, natsManager } from "../nats/jetstream.js";
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
 * The event bus on NATS JetStream: streams declared idempotently at start,
 * publishes deduplicated by msgID, durable pull consumers with explicit acks
 * sent only after the handler finished.
 */
export async function createJetStreamBus(opts: JetStreamBusOptions): Promise<EventBus> {
  const ns = opts.namespace ? `${opts.namespace}.` : "";
  const streamName = (stream: StreamName) =>
    opts.namespace ? `${opts.namespace.toUpperCase()}_${stream}` : stream;
  const nc: NatsConnection = await connectNats(opts.config, opts.name);
  const jsm = await natsManager(nc);
  for (const [stream, subjects] of Object.entries(STREAMS)) {
    await declareStream(jsm, {
      name: streamName(stream as StreamName),
      subjects: subjects.map((s) => ns + s),
      duplicate_window: DEDUPE_WINDOW_MS * NS_PER_MS,
      num_replicas: opts.config.replicas,
    });
  }
  const js = jetstream(nc);

  return {
    async publish(subject, data, msgId) {
      streamOf(subject);
      await js.publish(ns + subject, data, { msgID: msgId });
    },

    async consume(c: ConsumeOptions): Promise<Subscription> {
      const stream = streamName(c.stream);
      const maxInFlight = c.maxInFlight ?? 1;
      await declareConsumer(jsm, stream, {
        durable_name: c.durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ...(c.filter === undefined ? {} : { filter_subject: ns + c.filter }),
        max_ack_pending: maxInFlight,
        ack_wait: (c.ackWaitMs ?? 30_000) * NS_PER_MS,
      });
      const consumer = await js.consumers.get(stream, c.durable);
      const messages = await consumer.consume({ max_messages: maxInFlight });
      const running = new Set<Promise<void>>();
      const handle = async (m: JsMsg) => {
        try {
          await c.handler({
            subject: m.subject.slice(ns.length),
            data: m.data,
            msgId: m.headers?.get("Nats-Msg-Id") ?? `${stream}:${m.seq}`,
            publishTime: new Date(Number(m.info.timestampNanos) / 1e6),
            deliveryCount: m.info.deliveryCount,
          });
          // A plain ack (no confirmation round trip): a lost ack only means a redelivery, which
          // at-least-once handlers absorb; confirming each one cost more CPU than the handling.
          m.ack();
        } catch (err) {
          opts.log.warn(
            { err, subject: m.subject, durable: c.durable },
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
          await nc.flush();
        },
      };
    },

    async close() {
      await nc.drain();
    },
  };
}
