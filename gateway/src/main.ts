import { createLogger, runUntilSignal } from "@marquee/kit";
import { startGateway } from "./start.js";

const server = await startGateway();
runUntilSignal(createLogger("gateway"), server.close);
