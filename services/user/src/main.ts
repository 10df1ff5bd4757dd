import { createLogger, runUntilSignal } from "@marquee/kit";
import { startUserService } from "./start.js";

const server = await startUserService();
runUntilSignal(createLogger("user"), server.close);
