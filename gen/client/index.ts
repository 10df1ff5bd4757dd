// @marquee/sdk for Node.js: createMarquee over Connect, gRPC or gRPC-Web.
// Browsers import "@marquee/sdk/browser" instead (no Node.js modules).

export {
  createMarquee,
  createMarqueeTransport,
  type MarqueeOptions,
  type NodeTransportName,
} from "./node.js";
export * from "./shared.js";
