import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  type TextMapGetter,
  type Tracer,
} from "@opentelemetry/api";
import type { BusEvent } from "../bus/event-bus.js";
import { inSpan } from "./spans.js";

/** A message's header by name ("" or undefined when it has none). */
type HeaderOf = (name: string) => string | undefined;

/** Which bus ("nats", or the embedded one) and which of its streams. */
export interface BusPlace {
  system: string;
  stream: string;
}

const messageHeaders: TextMapGetter<HeaderOf> = {
  keys: () => [],
  get: (header, key) => header(key) || undefined,
};

/**
 * Publishes in a producer span; `publish` is given the headers that carry the
 * span's context (traceparent, tracestate) to put on the message, so its
 * consumers continue the trace. The span lasts until the stream has the message.
 */
export function tracedPublish(
  tracer: Tracer,
  { system, stream }: BusPlace,
  subject: string,
  msgId: string,
  publish: (headers: Record<string, string>) => Promise<void>,
): Promise<void> {
  return inSpan(
    tracer,
    `publish ${stream}`,
    () => {
      const headers: Record<string, string> = {};
      propagation.inject(context.active(), headers);
      return publish(headers);
    },
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        "messaging.system": system,
        "messaging.operation.type": "send",
        "messaging.operation.name": "publish",
        "messaging.destination.name": subject,
        "messaging.message.id": msgId,
      },
    },
  );
}

/** Handles a delivered event in a consumer span, a child of the publisher's span when the message carried one. */
export function tracedHandle(
  tracer: Tracer,
  { system, stream }: BusPlace,
  durable: string,
  event: BusEvent,
  header: HeaderOf,
  handle: () => Promise<void>,
): Promise<void> {
  return inSpan(tracer, `process ${stream}`, handle, {
    kind: SpanKind.CONSUMER,
    parent: propagation.extract(ROOT_CONTEXT, header, messageHeaders),
    attributes: {
      "messaging.system": system,
      "messaging.operation.type": "process",
      "messaging.operation.name": "process",
      "messaging.destination.name": event.subject,
      "messaging.consumer.group.name": durable,
      "messaging.message.id": event.msgId,
    },
  });
}
