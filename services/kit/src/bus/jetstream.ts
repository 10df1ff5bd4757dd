// `@marquee/kit/bus/jetstream`: the NATS JetStream adapter and its set-up helpers; loads the NATS client.
export { createJetStreamBus, type JetStreamBusOptions } from "./jetstream-bus.js";
export {
  type ConsumerDeclaration,
  connectNats,
  declareConsumer,
  declareStream,
  natsManager,
  type StreamDeclaration,
} from "./nats.js";
