/**
 * Serves the built web player (web-player/dist) for the gateway: correct
 * content types, the brotli or gzip file the build wrote beside each text
 * asset when the browser accepts it (sirv picks by Accept-Encoding and sets
 * Vary), hashed assets cached for a year as immutable, index.html
 * revalidated on every load (no-cache), and any other GET of an app path
 * (/title/…, /watch/…) answered with index.html so the client router takes
 * over. Plugs into kit `serve({ fallback })`: `(req, res) => void` for
 * HTTP/1.1 and HTTP/2 compatibility requests.
 */
import { statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { createRequire } from "node:module";
import path from "node:path";
import sirv from "sirv";

export type StaticRequest = IncomingMessage | Http2ServerRequest;
export type StaticResponse = ServerResponse | Http2ServerResponse;
export type StaticHandler = (req: StaticRequest, res: StaticResponse) => void;

/** The web player package's build folder (web-player/dist), wherever the package is installed. */
export const DEFAULT_DIST = path.join(
  path.dirname(createRequire(import.meta.url).resolve("@marquee/web-player/package.json")),
  "dist",
);

export interface StaticOptions {
  /** The built app (default web-player/dist). */
  root?: string;
  /** Paths never answered with index.html (default: RPC-looking paths, /media/, /artwork/, /metrics). */
  notApp?: RegExp;
}

/** Content-Security-Policy of the app page: everything from this origin; posters may come from elsewhere. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: https: http:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join("; ");

type SirvHandler = ReturnType<typeof sirv>;

const RPC_OR_MEDIA = /^\/(?:[a-z][\w]*\.[\w.]+\/|media\/|artwork\/|metrics$)/;

/** Cache policy by path: hashed build output is immutable, everything else revalidates. */
export function cacheControl(pathname: string): string {
  if (pathname.startsWith("/assets/")) return "public, max-age=31536000, immutable";
  return "no-cache";
}

function notFound(res: StaticResponse, message: string, status = 404): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
  res.end(message);
}

/**
 * The request handler. The file list is read once and again whenever
 * index.html changes (a rebuild), so a running gateway picks up a new build.
 */
export function createStaticHandler(options: StaticOptions = {}): StaticHandler {
  const root = path.resolve(options.root ?? DEFAULT_DIST);
  const notApp = options.notApp ?? RPC_OR_MEDIA;
  const indexFile = path.join(root, "index.html");
  let built: { mtimeMs: number; serve: SirvHandler } | undefined;

  const current = (): SirvHandler | undefined => {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(indexFile).mtimeMs;
    } catch {
      built = undefined;
      return undefined;
    }
    if (!built || built.mtimeMs !== mtimeMs) {
      built = {
        mtimeMs,
        serve: sirv(root, {
          etag: true,
          brotli: true,
          gzip: true,
          single: true,
          dotfiles: false,
          ignores: notApp,
          setHeaders(res, pathname) {
            res.setHeader("Cache-Control", cacheControl(pathname));
            res.setHeader("X-Content-Type-Options", "nosniff");
            if (!pathname.startsWith("/assets/")) {
              res.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
              res.setHeader("Referrer-Policy", "strict-origin-when-cross-origin");
            }
          },
        }),
      };
    }
    return built.serve;
  };

  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      notFound(res, "Not found\n");
      return;
    }
    const serve = current();
    if (!serve) {
      notFound(res, "The web player is not built yet: run `npm run build -w @marquee/web-player`.\n", 503);
      return;
    }
    serve(req as IncomingMessage, res as ServerResponse, () => notFound(res, "Not found\n"));
  };
}
