import { createLogger, runUntilSignal } from "@marquee/kit";
import { startRecommendationService } from "./start.js";

const server = await startRecommendationService();
runUntilSignal(createLogger("recommendation"), server.close);
