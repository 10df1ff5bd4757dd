import path from "node:path";
import type { Logger } from "pino";
import type { BackendsConfig } from "../backends-config.js";
import type { EmbeddedBus } from "./embedded-bus.js";
import type { EventBus } from "./event-bus.js";

const shared = new Map<string, { bus: Promise<EmbeddedBus>; users: number }>();

/**
 * The event bus the configuration asks for. In embedded mode every service of
 * the process shares one bus (one directory can have one owner); it closes
 * when its last user closes it.
 */
export async function openEventBus(backends: BackendsConfig, name: string, log: Logger): Promise<EventBus> {
  // Each adapter is loaded when asked for, so a process loads only the driver it uses.
  if (backends.mode === "external") {
    const { createJetStreamBus } = await import("./jetstream-bus.js");
    return createJetStreamBus({ config: backends.nats, name, log });
  }
  const dir = path.resolve(backends.embeddedDataDir, "bus");
  let entry = shared.get(dir);
  if (entry === undefined) {
    entry = {
      bus: import("./embedded-bus.js").then(({ EmbeddedBus }) => EmbeddedBus.open(dir, log)),
      users: 0,
    };
    shared.set(dir, entry);
  }
  entry.users++;
  const bus = await entry.bus;
  const owner = entry;
  let closed = false;
  return {
    publish: (subject, data, msgId) => bus.publish(subject, data, msgId),
    consume: (opts) => bus.consume(opts),
    async close() {
      if (closed) return;
      closed = true;
      if (--owner.users === 0) {
        shared.delete(dir);
        await bus.close();
      }
    },
  };
}
