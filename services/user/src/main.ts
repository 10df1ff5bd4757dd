import { runMain } from "@marquee/kit";
import { startUserService } from "./start.js";

await runMain("user", () => startUserService());
