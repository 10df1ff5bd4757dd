import { createLogger, runUntilSignal } from "@marquee/kit";
import { startContentService } from "./start.js";

const server = await startContentService();
runUntilSignal(createLogger("content"), server.close);
