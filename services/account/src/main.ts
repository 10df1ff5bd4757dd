import { createLogger, runUntilSignal } from "@marquee/kit";
import { startAccountService } from "./start.js";

const server = await startAccountService();
runUntilSignal(createLogger("account"), server.close);
