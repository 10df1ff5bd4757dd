import { runMain } from "@marquee/kit";
import { startStreamingService } from "./start.js";

await runMain("streaming", () => startStreamingService());
