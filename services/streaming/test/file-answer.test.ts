import type { IncomingHttpHeaders } from "node:http";
import test from "ava";
import { answerFile } from "../src/playback/file-answer.js";

const ETAG = 'W/"3e8-18bcfe569c8"';
const MODIFIED = "Tue, 14 Nov 2023 22:13:20 GMT";
const EARLIER = "Tue, 14 Nov 2023 21:13:20 GMT";
const LATER = "Tue, 14 Nov 2023 23:13:20 GMT";
const FILE = { size: 1000, etag: ETAG, lastModified: MODIFIED };
const TYPE = "video/mp4";
const CACHE = "public, max-age=31536000, immutable";
const VALIDATORS = { "accept-ranges": "bytes", "last-modified": MODIFIED, etag: ETAG };
const WHOLE = {
  status: 200,
  headers: { "content-type": TYPE, "cache-control": CACHE, ...VALIDATORS },
  start: 0,
  end: 1000,
};
const NOT_MODIFIED = { status: 304, headers: { "cache-control": CACHE, ...VALIDATORS } };
const FAILED = { status: 412, headers: VALIDATORS };
const UNSATISFIABLE = { status: 416, headers: { ...VALIDATORS, "content-range": "bytes */1000" } };
const partial = (first: number, last: number) => ({
  status: 206,
  headers: { ...WHOLE.headers, "content-range": `bytes ${first}-${last}/1000` },
  start: first,
  end: last + 1,
});

const answer = (req: IncomingHttpHeaders, file = FILE) => answerFile(req, file, TYPE, CACHE);

test("no condition and no range: the whole file, with its type, caching and validators", (t) => {
  t.deepEqual(answer({}), WHOLE);
});

test("one byte range gives 206 with its content-range, clamped to the file and from its end", (t) => {
  for (const [range, first, last] of [
    ["bytes=100-199", 100, 199],
    ["bytes=0-0", 0, 0],
    ["bytes=999-", 999, 999],
    ["bytes=990-5000", 990, 999],
    ["bytes=-100", 900, 999],
    ["bytes=0-10,5-20", 0, 20], // overlapping ranges are one
    ["bytes=0-1,1000-1001", 0, 1], // an unsatisfiable one is dropped
    [" bytes=1-2", 1, 2],
  ] as const) {
    t.deepEqual(answer({ range }), partial(first, last), range);
  }
});

test("an unsatisfiable range is 416 with bytes */size, also on an empty file", (t) => {
  // A suffix longer than the file too, as range-parser reads it (and so send answered it).
  for (const range of [
    "bytes=1000-",
    "bytes=5000-",
    "bytes=-0",
    "bytes=-5000",
    "bytes=200-100",
    "bytes=1000-1001,2000-",
  ]) {
    t.deepEqual(answer({ range }), UNSATISFIABLE, range);
  }
  t.deepEqual(answer({ range: "bytes=0-" }, { ...FILE, size: 0 }), {
    status: 416,
    headers: { ...VALIDATORS, "content-range": "bytes */0" },
  });
});

test("several ranges, an unparsable one or another unit give the whole file", (t) => {
  for (const range of ["bytes=0-1,5-6", "bytes=abc", "bytes=", "items=0-1", "Bytes=1-2"]) {
    t.deepEqual(answer({ range }), WHOLE, range);
  }
});

test("If-None-Match and If-Modified-Since give 304 unless the request says no-cache", (t) => {
  for (const req of [
    { "if-none-match": ETAG },
    { "if-none-match": ETAG.slice(2) }, // the strong form of the weak tag
    { "if-none-match": `"other", ${ETAG}` },
    { "if-none-match": "*" },
    { "if-modified-since": MODIFIED },
    { "if-modified-since": LATER },
    { "if-none-match": ETAG, range: "bytes=0-9" },
  ]) {
    t.deepEqual(answer(req), NOT_MODIFIED, JSON.stringify(req));
  }
  for (const req of [
    { "if-none-match": '"other"' },
    { "if-none-match": '"other"', "if-modified-since": LATER }, // the tag decides
    { "if-modified-since": EARLIER },
    { "if-modified-since": "not a date" },
    { "if-none-match": ETAG, "cache-control": "no-cache" },
  ]) {
    t.deepEqual(answer(req), WHOLE, JSON.stringify(req));
  }
});

test("If-Match and If-Unmodified-Since fail with 412 when the file is not the one named", (t) => {
  for (const req of [{ "if-match": '"other"' }, { "if-unmodified-since": EARLIER }]) {
    t.deepEqual(answer(req), FAILED, JSON.stringify(req));
  }
  for (const req of [
    { "if-match": ETAG },
    { "if-match": "*" },
    { "if-unmodified-since": MODIFIED },
    { "if-unmodified-since": "not a date" },
  ]) {
    t.deepEqual(answer(req), WHOLE, JSON.stringify(req));
  }
});

test("If-Range keeps the range only for this ETag or a date not before the file's", (t) => {
  for (const ifRange of [ETAG, MODIFIED, LATER]) {
    t.deepEqual(answer({ range: "bytes=100-199", "if-range": ifRange }), partial(100, 199), ifRange);
  }
  for (const ifRange of ['"other"', EARLIER, "not a date"]) {
    t.deepEqual(answer({ range: "bytes=100-199", "if-range": ifRange }), WHOLE, ifRange);
  }
  t.deepEqual(answer({ range: "bytes=5000-", "if-range": '"other"' }), WHOLE, "a stale range is not judged");
});
