import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import type { Logger } from "pino";
import send from "send";
import type { LiveSessions, SessionState } from "./live-sessions.js";
import { heightOfRendition, renditionOfFile, trimManifest } from "./manifest.js";
import { FILE_NAME, type MediaGrant, type MediaSigner } from "./signing.js";

export interface MediaOriginOptions {
  /** Where published assets live: <mediaDir>/<assetId>/{manifest.mpd, init-*.m4s, chunk-*.m4s, poster.jpg, thumb-*.jpg}. */
  mediaDir: string;
  signer: MediaSigner;
  /** Whether a URL's session may still fetch media: a stopped or lapsed one may not. */
  sessions: Pick<LiveSessions, "state">;
  log: Logger;
  /** Unix seconds; tests move time. */
  nowSeconds?: () => number;
}

export const MEDIA_PREFIX = "/media/";
const ARTWORK = /^\/media\/art\/([a-z0-9][a-z0-9-]{0,63})\/(poster\.jpg|thumb-\d{4}\.jpg)$/;
const MANIFEST_CACHE_SIZE = 256;
const SEGMENT_CACHE = "public, max-age=31536000, immutable";
const MANIFEST_CACHE = "private, max-age=10";
const ARTWORK_CACHE = "public, max-age=86400";

/** Why a session's media is refused (403, as for any URL that no longer works: players renew on it). */
const NOT_LIVE: Record<Exclude<SessionState, "live">, string> = {
  ended: "this playback session has ended; start a new one",
  lapsed: "this playback session went quiet; send a heartbeat or renew the URL to go on",
};

function contentTypeOf(file: string): string | undefined {
  if (file.endsWith(".jpg")) return "image/jpeg";
  if (file.endsWith(".mpd")) return "application/dash+xml";
  const rendition = renditionOfFile(file);
  if (rendition === undefined) return undefined;
  return heightOfRendition(rendition) === undefined ? "audio/mp4" : "video/mp4";
}

function refuse(res: ServerResponse, status: number, reason: string, headers: Record<string, string> = {}) {
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "cache-control": "no-store",
    ...headers,
  });
  res.end(`${reason}\n`);
}

/**
 * The media origin: serves /media/s/<token>/<assetId>/<file> after checking
 * the token (expired, forged or another session's → 403) and that its session
 * is live (stopped or lapsed → 403, as fresh as LiveSessions keeps it), the
 * session's manifest trimmed to its plan, segments with HTTP range requests,
 * ETags and immutable caching, and public artwork under /media/art/<assetId>/.
 * File names are matched against a strict pattern before touching the disk,
 * so no path can leave the asset's directory.
 */
export function mediaOrigin(opts: MediaOriginOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const now = opts.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const manifests = new Map<string, string>();

  const loadManifest = async (assetId: string): Promise<string | undefined> => {
    const cached = manifests.get(assetId);
    if (cached !== undefined) return cached;
    try {
      const mpd = await readFile(path.join(opts.mediaDir, assetId, "manifest.mpd"), "utf8");
      if (manifests.size >= MANIFEST_CACHE_SIZE) manifests.clear();
      manifests.set(assetId, mpd);
      return mpd;
    } catch {
      return undefined;
    }
  };

  const sendManifest = (req: IncomingMessage, res: ServerResponse, grant: MediaGrant) => {
    loadManifest(grant.assetId).then(
      (mpd) => {
        if (mpd === undefined) return refuse(res, 404, "no such asset");
        const body = Buffer.from(trimManifest(mpd, grant.maxHeight));
        res.writeHead(200, {
          "content-type": "application/dash+xml",
          "content-length": body.length,
          "cache-control": MANIFEST_CACHE,
        });
        res.end(req.method === "HEAD" ? undefined : body);
      },
      (err: unknown) => {
        opts.log.error({ err }, "manifest failed");
        refuse(res, 500, "media error");
      },
    );
  };

  const sendFile = (
    req: IncomingMessage,
    res: ServerResponse,
    dir: string,
    file: string,
    cacheControl: string,
  ) => {
    const type = contentTypeOf(file);
    if (type === undefined || !FILE_NAME.test(file)) return refuse(res, 404, "no such media file");
    send(req, `/${file}`, { root: dir, dotfiles: "deny", index: false, cacheControl: false, etag: true })
      .on("headers", (r: ServerResponse) => {
        r.setHeader("content-type", type);
        r.setHeader("cache-control", cacheControl);
      })
      .on("error", (err: { status?: number }) => {
        refuse(
          res,
          err.status === 404 ? 404 : (err.status ?? 500),
          err.status === 404 ? "no such media file" : "media error",
        );
      })
      .pipe(res);
  };

  return (req, res) => {
    const rawPath = req.url ?? "/";
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      return refuse(res, 405, "only GET and HEAD");
    }
    const art = ARTWORK.exec(rawPath.split("?")[0] as string);
    if (art)
      return sendFile(req, res, path.join(opts.mediaDir, art[1] as string), art[2] as string, ARTWORK_CACHE);

    const verdict = opts.signer.verify(rawPath, now());
    if (!verdict.ok) {
      opts.log.debug({ path: rawPath, reason: verdict.reason }, "media request refused");
      return refuse(res, verdict.status, verdict.reason);
    }
    const { grant, file } = verdict;
    const manifest = file === "manifest.mpd";
    if (!manifest) {
      const rendition = renditionOfFile(file);
      if (rendition === undefined) return refuse(res, 404, "no such media file");
      const height = heightOfRendition(rendition);
      if (height !== undefined && grant.maxHeight > 0 && height > grant.maxHeight) {
        return refuse(res, 403, "this rendition is above your plan's resolution");
      }
    }
    opts.sessions.state(grant.sessionId).then(
      (state) => {
        if (state !== "live") {
          opts.log.debug(
            { sessionId: grant.sessionId, state },
            "media of a session that is not live refused",
          );
          return refuse(res, 403, NOT_LIVE[state]);
        }
        if (manifest) return sendManifest(req, res, grant);
        sendFile(req, res, path.join(opts.mediaDir, grant.assetId), file, SEGMENT_CACHE);
      },
      (err: unknown) => {
        // Fail closed: without the session's state nothing is served, and the player retries.
        opts.log.error({ err, sessionId: grant.sessionId }, "session state unreadable");
        refuse(res, 503, "media is unavailable for a moment; retry", { "retry-after": "1" });
      },
    );
  };
}
