// @marquee/sdk/browser: createMarqueeWeb over Connect or gRPC-Web via fetch.
// Imports no Node.js modules, so bundlers can ship it to browsers.

export * from "./shared.js";
export {
  createMarqueeWeb,
  createMarqueeWebTransport,
  type MarqueeWebOptions,
  type WebTransportName,
} from "./web.js";
