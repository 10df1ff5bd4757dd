import { runMain } from "@marquee/kit";
import { startStreamingConsumers } from "./consumers.js";

await runMain("streaming-consumers", () => startStreamingConsumers());
