/**
 * Serves generated artwork at /artwork/v<version>/<contentId>/<kind>.jpg:
 * a file from sirv with a validator and a year of caching (the version in the
 * path changes when the drawing does). A picture not drawn yet (the warmer
 * draws the catalog's in the background, so this is rare) is drawn on its
 * request, for titles in the store only: the store is read on that miss, not
 * on every answer. Any other path is 404.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "@marquee/kit";
import sirv from "sirv";
import type { ContentStore } from "../store.js";
import type { ArtworkFiles } from "./artwork-files.js";
import { ARTWORK_VERSION } from "./design.js";

export const ARTWORK_PREFIX = "/artwork/";

const PATH = new RegExp(
  `^/artwork/v${ARTWORK_VERSION}/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/(poster|backdrop)\\.jpg$`,
);

const YEAR_S = 365 * 24 * 3600;

export function artworkOrigin(opts: {
  files: ArtworkFiles;
  store: ContentStore;
  log: Logger;
}): (req: IncomingMessage, res: ServerResponse) => void {
  const serveFile = sirv(opts.files.root, {
    // Files appear while the service runs, so each request looks on disk rather than in a list made at start.
    dev: true,
    etag: true,
    setHeaders: (res) => res.setHeader("Cache-Control", `public, max-age=${YEAR_S}, immutable`),
  });
  const notFound = (res: ServerResponse) =>
    res.writeHead(404, { "content-type": "text/plain" }).end("no such artwork\n");

  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("only GET and HEAD\n");
      return;
    }
    const pathname = (req.url ?? "").split("?")[0] ?? "";
    const match = PATH.exec(pathname);
    const contentId = match?.[1];
    const kind = match?.[2] as "poster" | "backdrop" | undefined;
    if (contentId === undefined || kind === undefined) {
      notFound(res);
      return;
    }
    // sirv looks the path up under the artwork folder, which starts after /artwork.
    req.url = pathname.slice(ARTWORK_PREFIX.length - 1);
    const drawThenServe = async () => {
      const content = await opts.store.get(contentId);
      if (content === undefined) {
        notFound(res);
        return;
      }
      await opts.files.ensure(content, kind);
      serveFile(req, res, () => {
        notFound(res);
      });
    };
    serveFile(req, res, () => {
      drawThenServe().catch((err: unknown) => {
        opts.log.error({ err, contentId, kind }, "artwork could not be made");
        if (!res.headersSent)
          res.writeHead(503, { "content-type": "text/plain" }).end("artwork unavailable, try again\n");
        else res.destroy();
      });
    });
  };
}
