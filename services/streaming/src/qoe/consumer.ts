import type { Logger } from "@marquee/kit";
import { consumeEvents, EVENTS, type EventBus, readingsOf, type Subscription } from "@marquee/kit/bus";
import type { QoeAggregate } from "./aggregate.js";

/** The durable consumer that feeds the QoE aggregate (one per process holding one; see the README). */
const QOE_CONSUMER = "streaming-qoe";

/**
 * Feeds the aggregate from the PLAYBACK stream. Adding a report is a few map
 * updates and cannot fail, so every report is acknowledged as it is added;
 * with many in flight the reports are still added in stream order (the
 * handler does not wait).
 */
export function startQoeConsumer(
  bus: EventBus,
  aggregate: QoeAggregate,
  log: Logger,
  now: () => number = Date.now,
): Promise<Subscription> {
  return consumeEvents(bus, {
    kinds: [EVENTS.playbackReport],
    durable: QOE_CONSUMER,
    log,
    maxInFlight: 256,
    handler: async ({ message: report }) => {
      aggregate.add(report, readingsOf(report), now());
    },
  });
}
