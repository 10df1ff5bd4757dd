import { runMain } from "@marquee/kit";
import { startGateway } from "./start.js";

await runMain("gateway", () => startGateway());
