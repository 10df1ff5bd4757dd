import { runMain } from "@marquee/kit";
import { startRecommendationService } from "./start.js";

await runMain("recommendation", () => startRecommendationService());
