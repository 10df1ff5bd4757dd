import { randomBytes } from "node:crypto";
import test from "ava";
import { createJetStreamBus, createLogger, loadBackendsConfig } from "../../src/index.js";
import { eventBusContract } from "../bus-contract.js";

const config = loadBackendsConfig().nats;
const log = createLogger("test", "silent");

eventBusContract(test, async () => {
  // A namespace per test keeps its streams apart from other tests and from a running platform.
  const namespace = `t${randomBytes(4).toString("hex")}`;
  const open = () => createJetStreamBus({ config, name: "bus-test", log, namespace });
  return { bus: await open(), reopen: open };
});
