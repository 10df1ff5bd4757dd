import { runMain } from "@marquee/kit";
import { startContentService } from "./start.js";

await runMain("content", () => startContentService());
