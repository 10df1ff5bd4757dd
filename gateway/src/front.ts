import type { IncomingMessage, ServerResponse } from "node:http";
import { createMediaProxy } from "./edge/media-proxy.js";
import { createStaticHandler } from "./edge/static-files.js";
import type { Replicas } from "./replicas.js";

/**
 * What the gateway serves besides RPCs: media under /media/ (passed to the
 * streaming service's origin, which checks every signature), generated
 * artwork under /artwork/ (passed to the content service) and the web
 * player's build for everything else, so the browser app, its API and its
 * video share one origin. Each request goes to the next replica of its service.
 */
export function createFront(upstreams: {
  streaming: Replicas;
  content: Replicas;
}): (req: IncomingMessage, res: ServerResponse) => void {
  const media = createMediaProxy(upstreams.streaming);
  const artwork = createMediaProxy(upstreams.content);
  const app = createStaticHandler();
  return (req, res) => {
    const url = req.url ?? "";
    if (url.startsWith("/media/")) media(req, res);
    else if (url.startsWith("/artwork/")) artwork(req, res);
    else app(req, res);
  };
}
