import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { pipeline } from "node:stream";
import type { Logger } from "pino";
import { TRICK_PLAY_FILE } from "../ingest/trick-play.js";
import { answerFile } from "./file-answer.js";
import type { LiveSessions, SessionState } from "./live-sessions.js";
import { heightOfRendition, renditionOfFile, trimManifest } from "./manifest.js";
import { type OpenFile, OpenFiles } from "./open-files.js";
import { FILE_NAME, type MediaGrant, type MediaSigner } from "./signing.js";

export interface MediaOriginOptions {
  /** Where published assets live: <mediaDir>/<assetId>/{manifest.mpd, init-*.m4s, chunk-*.m4s, text*.vtt, thumbnails.vtt, sprite-*.jpg, poster.jpg, thumb-*.jpg}. */
  mediaDir: string;
  signer: MediaSigner;
  /** Whether a URL's session may still fetch media: a stopped or lapsed one may not. */
  sessions: Pick<LiveSessions, "state">;
  log: Logger;
  /** Unix seconds; tests move time. */
  nowSeconds?: () => number;
  /** Media files kept open between requests (default 256). */
  maxOpenFiles?: number;
  /** How long an open file is trusted before it is opened again by path, so a removed or replaced one shows (default 1 s). */
  fileCheckMs?: number;
}

export const MEDIA_PREFIX = "/media/";
const ARTWORK = /^\/media\/art\/([a-z0-9][a-z0-9-]{0,63})\/(poster\.jpg|thumb-\d{4}\.jpg)$/;
const MANIFEST_CACHE_SIZE = 256;
const OPEN_FILES = 256;
const FILE_CHECK_MS = 1_000;
/**
 * The most of a file a response reads at once: a range request or a small file is one read and
 * one write (a trip through the thread pool costs more than the copy), a larger body a stream of
 * reads this size, so a slow client holds no more than this in memory.
 */
const READ_BYTES = 256 * 1024;
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
  if (file.endsWith(".vtt"))
    return renditionOfFile(file) === undefined && !TRICK_PLAY_FILE.test(file)
      ? undefined
      : "text/vtt; charset=utf-8";
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
 * ETags and immutable caching, the seek bar's preview sprites and their track
 * on the same signed path (no more open than the segments), and public
 * artwork under /media/art/<assetId>/.
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

  const files = new OpenFiles({
    max: opts.maxOpenFiles ?? OPEN_FILES,
    checkMs: opts.fileCheckMs ?? FILE_CHECK_MS,
  });

  const sendOpenFile = (
    req: IncomingMessage,
    res: ServerResponse,
    file: OpenFile,
    type: string,
    cacheControl: string,
  ) => {
    const answer = answerFile(req.headers, file, type, cacheControl);
    if (answer.status === 304) {
      file.release();
      res.writeHead(304, answer.headers);
      return res.end();
    }
    if (answer.status !== 200 && answer.status !== 206) {
      file.release();
      return refuse(res, answer.status, "media error", answer.headers);
    }
    const { status, start, end } = answer;
    const headers = { ...answer.headers, "content-length": String(end - start) };
    if (req.method === "HEAD" || start === end) {
      file.release();
      res.writeHead(status, headers);
      return res.end();
    }
    if (end - start <= READ_BYTES) {
      return file.read(start, end - start).then(
        (body) => {
          file.release();
          res.writeHead(status, headers);
          res.end(body);
        },
        (err: unknown) => {
          file.release();
          opts.log.error({ err }, "media file unreadable");
          refuse(res, 500, "media error");
        },
      );
    }
    res.writeHead(status, headers);
    const body = file.stream(start, end - 1, READ_BYTES);
    body.once("close", () => file.release());
    pipeline(body, res, (err) => {
      // Mostly a client that went away mid-body; the response is cut short either way.
      if (err) opts.log.debug({ err }, "media body cut short");
    });
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
    files.lease(path.join(dir, file)).then(
      (open) => {
        if (open === undefined) return refuse(res, 404, "no such media file");
        sendOpenFile(req, res, open, type, cacheControl);
      },
      (err: unknown) => {
        opts.log.error({ err }, "media file unreadable");
        refuse(res, 500, "media error");
      },
    );
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
    if (!manifest && !TRICK_PLAY_FILE.test(file)) {
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
