import { runMain } from "@marquee/kit";
import { startFeedbackService } from "./start.js";

await runMain("feedback", () => startFeedbackService());
