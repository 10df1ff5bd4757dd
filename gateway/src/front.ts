import type { IncomingMessage, ServerResponse } from "node:http";
import { createMediaProxy } from "./edge/media-proxy.js";
import { createStaticHandler } from "./edge/static-files.js";

/**
 * What the gateway serves besides RPCs: media under /media/ (passed to the
 * streaming service's origin, which checks every signature) and the web
 * player's build for everything else, so the browser app, its API and its
 * video share one origin.
 */
export function createFront(streamingUrl: string): (req: IncomingMessage, res: ServerResponse) => void {
  const media = createMediaProxy(streamingUrl);
  const app = createStaticHandler();
  return (req, res) => (req.url?.startsWith("/media/") ? media(req, res) : app(req, res));
}
