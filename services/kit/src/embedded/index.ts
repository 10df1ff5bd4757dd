// `@marquee/kit/embedded`: loads classic-level; only embedded adapters import it.
export { EmbeddedBus } from "../bus/embedded-bus.js";
export { embeddedDir } from "./embedded-dir.js";
