// `@marquee/kit/bus`: the event bus port. Its adapters load their drivers only when opened.

export {
  type ConsumeEventsOptions,
  consumeEvents,
  EVENTS,
  type EventKind,
  encodeEvent,
  publishEvent,
  type TypedEvent,
} from "./catalog.js";
export { consumeErasures, type Erasure, type ErasureConsumerOptions } from "./erasure.js";
export {
  type BusEvent,
  type ConsumeOptions,
  type EventBus,
  type EventHandler,
  redeliveryDelayMs,
  STREAMS,
  type StreamName,
  type Subscription,
  streamOf,
  subjectMatches,
} from "./event-bus.js";
export { openEventBus } from "./open-bus.js";
export { readingsOf } from "./playback.js";
