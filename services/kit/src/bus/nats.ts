import {
  type ConsumerConfig,
  type ConsumerInfo,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  jetstreamManager,
  type StreamConfig,
  type StreamInfo,
} from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { BackendsConfig } from "../backends-config.js";

export type StreamDeclaration = Partial<StreamConfig> & Pick<StreamConfig, "name" | "subjects">;
export type ConsumerDeclaration = Partial<ConsumerConfig> & { durable_name: string };

/** A connection that keeps reconnecting: services outlive a NATS node restart. */
export function connectNats(config: BackendsConfig["nats"], name: string): Promise<NatsConnection> {
  return connect({
    servers: config.servers,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    // Each request would otherwise build two Error objects for their stack traces: a third of the
    // CPU of a JetStream publish (measured); errors still carry their message and subject.
    noAsyncTraces: true,
  });
}

export function natsManager(nc: NatsConnection): Promise<JetStreamManager> {
  return jetstreamManager(nc);
}

function isNotFound(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

/** The declared keys whose value differs on the server. */
function drift<T extends object>(declared: Partial<T>, actual: T): string[] {
  return Object.entries(declared)
    .filter(([key, value]) => JSON.stringify(actual[key as keyof T]) !== JSON.stringify(value))
    .map(([key]) => key);
}

/**
 * Creates the stream, or brings an existing one to the declared settings;
 * safe to run from every process at every start.
 */
export async function declareStream(
  jsm: JetStreamManager,
  declared: StreamDeclaration,
  retry = true,
): Promise<StreamInfo> {
  try {
    const info = await jsm.streams.info(declared.name);
    if (drift(declared, info.config).length === 0) return info;
    return await jsm.streams.update(declared.name, { ...info.config, ...declared });
  } catch (err) {
    if (!isNotFound(err, JetStreamApiCodes.StreamNotFound)) throw err;
    try {
      return await jsm.streams.add(declared);
    } catch (addErr) {
      // Another process created it between our look and our add: take the update path once.
      if (retry) return declareStream(jsm, declared, false);
      throw addErr;
    }
  }
}

/** Creates the durable consumer, or updates it to the declared settings. */
export async function declareConsumer(
  jsm: JetStreamManager,
  stream: string,
  declared: ConsumerDeclaration,
  retry = true,
): Promise<ConsumerInfo> {
  try {
    const info = await jsm.consumers.info(stream, declared.durable_name);
    if (drift(declared, info.config).length === 0) return info;
    return await jsm.consumers.update(stream, declared.durable_name, declared);
  } catch (err) {
    if (!isNotFound(err, JetStreamApiCodes.ConsumerNotFound)) throw err;
    try {
      return await jsm.consumers.add(stream, declared);
    } catch (addErr) {
      if (retry) return declareConsumer(jsm, stream, declared, false);
      throw addErr;
    }
  }
}
