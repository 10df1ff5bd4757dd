import { runMain } from "@marquee/kit";
import { startAccountService } from "./start.js";

await runMain("account", () => startAccountService());
