import type { IncomingHttpHeaders } from "node:http";
import fresh from "fresh";
import parseRange from "range-parser";

/** What a file's responses say about it. */
export interface FileValidators {
  size: number;
  etag: string;
  lastModified: string;
}

/**
 * The status and headers a request for a file gets and, for 200 and 206, which bytes:
 * `start` up to `end` exclusive. The headers of a 412 or 416 are those that go with the
 * origin's own refusal (its type and cache-control win).
 */
export type FileAnswer =
  | { status: 200 | 206; headers: Record<string, string>; start: number; end: number }
  | { status: 304 | 412 | 416; headers: Record<string, string> };

/** send's test for a byte range request: other Range units, or none, get the whole file. */
const BYTES_RANGE = /^ *bytes=/;

/**
 * How a GET or HEAD of a file is answered: exactly as the `send` package answers it with the
 * options the origin gave it (ETag and Last-Modified on, its own Cache-Control off), which is how
 * the origin served files before it kept them open. If-Match and If-Unmodified-Since fail with
 * 412; If-None-Match and If-Modified-Since give 304 (unless the request says `no-cache`); one
 * satisfiable byte range gives 206, an unsatisfiable one 416 with `bytes *\/size`, and several or
 * an unparsable one the whole file, as does a Range whose If-Range (an ETag or a date) is stale.
 */
export function answerFile(
  req: IncomingHttpHeaders,
  file: FileValidators,
  contentType: string,
  cacheControl: string,
): FileAnswer {
  const validators = { "accept-ranges": "bytes", "last-modified": file.lastModified, etag: file.etag };
  if (req["if-match"] || req["if-unmodified-since"] || req["if-none-match"] || req["if-modified-since"]) {
    if (preconditionFails(req, file)) return { status: 412, headers: validators };
    if (fresh(req, { etag: file.etag, "last-modified": file.lastModified })) {
      return { status: 304, headers: { "cache-control": cacheControl, ...validators } };
    }
  }
  const headers = { "content-type": contentType, "cache-control": cacheControl, ...validators };
  const range = req.range;
  if (range !== undefined && BYTES_RANGE.test(range)) {
    const ifRange = req["if-range"];
    const stale = typeof ifRange === "string" && !rangeFresh(ifRange, file);
    const ranges = stale ? -2 : parseRange(file.size, range, { combine: true });
    if (ranges === -1) {
      return { status: 416, headers: { ...validators, "content-range": `bytes */${file.size}` } };
    }
    const only = ranges !== -2 && ranges.length === 1 ? ranges[0] : undefined;
    if (only !== undefined) {
      return {
        status: 206,
        headers: { ...headers, "content-range": `bytes ${only.start}-${only.end}/${file.size}` },
        start: only.start,
        end: only.end + 1,
      };
    }
  }
  return { status: 200, headers, start: 0, end: file.size };
}

function preconditionFails(req: IncomingHttpHeaders, file: FileValidators): boolean {
  const ifMatch = req["if-match"];
  // If-Match compares tags as If-None-Match does (send's rule: weak or strong alike), so fresh reads the list.
  if (ifMatch) return !fresh({ "if-none-match": ifMatch }, { etag: file.etag });
  const since = Date.parse(req["if-unmodified-since"] ?? "");
  return !Number.isNaN(since) && Date.parse(file.lastModified) > since;
}

/** Whether a Range still applies under its If-Range: one naming this ETag, or a date not before the file's. */
function rangeFresh(ifRange: string, file: FileValidators): boolean {
  if (ifRange === "") return true;
  if (ifRange.includes('"')) return ifRange.includes(file.etag);
  return Date.parse(file.lastModified) <= Date.parse(ifRange);
}
