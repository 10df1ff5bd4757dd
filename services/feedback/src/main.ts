import { createLogger, runUntilSignal } from "@marquee/kit";
import { startFeedbackService } from "./start.js";

const server = await startFeedbackService();
runUntilSignal(createLogger("feedback"), server.close);
