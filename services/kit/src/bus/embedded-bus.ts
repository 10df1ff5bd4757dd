import { EventEmitter } from "node:events";
import { mkdirSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { ClassicLevel } from "classic-level";
import type { Logger } from "pino";
import { retryFields } from "../logger.js";
import { SerialQueue } from "../serial-queue.js";
import { tracedHandle, tracedPublish } from "../tracing/bus.js";
import { tracerFor } from "../tracing/state.js";
import {
  type BusEvent,
  type ConsumeOptions,
  DEDUPE_WINDOW_MS,
  type EventBus,
  redeliveryDelayMs,
  type Subscription,
  streamOf,
  subjectMatches,
} from "./event-bus.js";

interface StoredEvent {
  subject: string;
  data: string;
  msgId: string;
  time: number;
  /** The publisher's trace context (traceparent, tracestate), while it traced. */
  trace?: Record<string, string>;
}

const SYSTEM = "marquee-embedded";

const pad = (seq: number) => seq.toString().padStart(16, "0");

/**
 * The event bus for embedded mode: an append-only log per stream in
 * classic-level, with a durable cursor per consumer, so events published
 * before a restart are still delivered after it. One process owns the
 * directory; consumers handle their events in order.
 */
export class EmbeddedBus implements EventBus {
  readonly #db: ClassicLevel<string, string>;
  readonly #log: Logger;
  readonly #published = new EventEmitter();
  readonly #writes = new SerialQueue();
  readonly #subscriptions = new Set<Subscription>();
  readonly #tracer = tracerFor("embedded-bus");

  private constructor(db: ClassicLevel<string, string>, log: Logger) {
    this.#db = db;
    this.#log = log;
    this.#published.setMaxListeners(0);
  }

  static async open(dir: string, log: Logger): Promise<EmbeddedBus> {
    mkdirSync(dir, { recursive: true });
    const db = new ClassicLevel<string, string>(dir);
    await db.open();
    return new EmbeddedBus(db, log);
  }

  async #get(key: string): Promise<string | undefined> {
    return (await this.#db.get(key)) ?? undefined;
  }

  async publish(subject: string, data: Uint8Array, msgId: string): Promise<void> {
    const stream = streamOf(subject);
    return this.#tracer === undefined
      ? this.#append(stream, subject, data, msgId)
      : tracedPublish(this.#tracer, { system: SYSTEM, stream }, subject, msgId, (trace) =>
          this.#append(stream, subject, data, msgId, trace),
        );
  }

  #append(
    stream: string,
    subject: string,
    data: Uint8Array,
    msgId: string,
    trace?: Record<string, string>,
  ): Promise<void> {
    // Appends are serialised so sequence numbers stay gap-free and ordered.
    return this.#writes.run(async () => {
      const dedupeKey = `dedupe!${stream}!${msgId}`;
      const seen = await this.#get(dedupeKey);
      if (seen !== undefined && Date.now() - Number(seen) < DEDUPE_WINDOW_MS) return;
      const seq = Number((await this.#get(`head!${stream}`)) ?? "0") + 1;
      const event: StoredEvent = {
        subject,
        data: Buffer.from(data).toString("base64"),
        msgId,
        time: Date.now(),
        trace,
      };
      await this.#db.batch([
        { type: "put", key: `log!${stream}!${pad(seq)}`, value: JSON.stringify(event) },
        { type: "put", key: `head!${stream}`, value: String(seq) },
        { type: "put", key: dedupeKey, value: String(event.time) },
      ]);
      this.#published.emit(stream);
    });
  }

  async consume(c: ConsumeOptions): Promise<Subscription> {
    const cursorKey = `cursor!${c.stream}!${c.durable}`;
    let stopped = false;
    // Set by every publish (and by stop), so a publish that lands while the loop is reading is not missed.
    let signalled = false;
    let wake: (() => void) | undefined;
    const onPublish = () => {
      signalled = true;
      wake?.();
    };
    this.#published.on(c.stream, onPublish);
    const idle = () =>
      new Promise<void>((resolve) => {
        if (signalled) return resolve();
        wake = resolve;
      });

    const stopping = new AbortController();
    const loop = (async () => {
      while (!stopped) {
        signalled = false;
        const cursor = Number((await this.#get(cursorKey)) ?? "0");
        const next = await this.#db
          .iterator({ gt: `log!${c.stream}!${pad(cursor)}`, lt: `log!${c.stream}!~`, limit: 64 })
          .all();
        if (next.length === 0) {
          await idle();
          continue;
        }
        for (const [key, value] of next) {
          if (stopped) break;
          const seq = Number(key.slice(key.lastIndexOf("!") + 1));
          const stored = JSON.parse(value) as StoredEvent;
          if (c.filter === undefined || subjectMatches(c.filter, stored.subject)) {
            await this.#deliver(c, stored, stopping.signal);
          }
          if (stopped) break;
          await this.#db.put(cursorKey, String(seq));
        }
      }
    })();

    const subscription: Subscription = {
      stop: async () => {
        stopped = true;
        stopping.abort();
        onPublish();
        this.#published.off(c.stream, onPublish);
        await loop;
        this.#subscriptions.delete(subscription);
      },
    };
    this.#subscriptions.add(subscription);
    return subscription;
  }

  /** Hands one event to the handler until it succeeds (or the subscription stops). */
  async #deliver(c: ConsumeOptions, stored: StoredEvent, stop: AbortSignal): Promise<void> {
    for (let deliveryCount = 1; !stop.aborted; deliveryCount++) {
      const event: BusEvent = {
        subject: stored.subject,
        data: Buffer.from(stored.data, "base64"),
        msgId: stored.msgId,
        publishTime: new Date(stored.time),
        deliveryCount,
      };
      try {
        await (this.#tracer === undefined
          ? c.handler(event)
          : tracedHandle(
              this.#tracer,
              { system: SYSTEM, stream: c.stream },
              c.durable,
              event,
              (name) => stored.trace?.[name],
              () => c.handler(event),
            ));
        return;
      } catch (err) {
        const delayMs = redeliveryDelayMs(deliveryCount);
        this.#log.warn(
          { ...retryFields(err), subject: stored.subject, durable: c.durable, deliveryCount, delayMs },
          "event handler failed; redelivering",
        );
        // Only stop cuts the wait short: new publishes must not speed up retries.
        await sleep(delayMs, undefined, { signal: stop }).catch(() => {});
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#subscriptions].map((s) => s.stop()));
    await this.#writes.idle();
    await this.#db.close();
  }
}
