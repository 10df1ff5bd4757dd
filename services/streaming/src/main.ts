import { createLogger, runUntilSignal } from "@marquee/kit";
import { startStreamingService } from "./start.js";

const server = await startStreamingService();
runUntilSignal(createLogger("streaming"), server.close);
