import {
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { waitFor } from "@marquee/kit/testing";
import test from "ava";
import etag from "etag";
import { OpenFiles } from "../src/playback/open-files.js";
import { heldOn } from "./descriptors.js";

const dir = mkdtempSync(path.join(tmpdir(), "marquee-open-files-"));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh file of `bytes` in its own folder, so tests running together never share one. */
function fileOf(bytes: Buffer | string): string {
  const folder = mkdtempSync(path.join(dir, "t-"));
  const file = path.join(folder, "chunk-720p-00001.m4s");
  writeFileSync(file, bytes);
  return file;
}

const descriptorsOn = (file: string) => heldOn(file).length;

const closedWithin = (file: string, what: string) => waitFor(what, () => descriptorsOn(file) === 0, 5_000);

test("a file is opened once and read by its position; it carries send's validators", async (t) => {
  const file = fileOf(Buffer.from("0123456789"));
  const files = new OpenFiles({ max: 4, checkMs: 60_000 });
  const first = await files.lease(file);
  const second = await files.lease(file);
  if (first === undefined || second === undefined) return t.fail("not opened");
  t.is(second, first, "the same open file");
  t.is(descriptorsOn(file), 1);
  const stats = statSync(file);
  t.is(first.size, 10);
  t.is(first.etag, etag(stats));
  t.regex(first.etag, /^W\/"a-[0-9a-f]+"$/);
  t.is(first.lastModified, stats.mtime.toUTCString());
  t.is((await first.read(7, 3)).toString(), "789", "a range at the end of the file");
  t.is((await second.read(0, 2)).toString(), "01");
  first.release();
  second.release();
  t.is(descriptorsOn(file), 1, "kept open for the next request");
});

test("a missing file or a folder by a file's name is not there; nothing is left open", async (t) => {
  const files = new OpenFiles({ max: 4, checkMs: 60_000 });
  t.is(await files.lease(path.join(dir, "nothing-here.m4s")), undefined);
  t.is(await files.lease(path.join(dir, "no-folder", "chunk-720p-00001.m4s")), undefined);
  const folder = path.join(mkdtempSync(path.join(dir, "t-")), "chunk-720p-00002.m4s");
  mkdirSync(folder);
  t.is(await files.lease(folder), undefined);
  await closedWithin(folder, "the folder's descriptor to close");
});

test("past the bound the least recently served file closes; one still being read closes when its reader is done", async (t) => {
  const [a, b, c] = ["a", "b", "c"].map((bytes) => fileOf(bytes)) as [string, string, string];
  const files = new OpenFiles({ max: 2, checkMs: 60_000 });
  const reading = await files.lease(a);
  if (reading === undefined) return t.fail("not opened");
  for (const f of [b, c]) (await files.lease(f))?.release();
  t.is(descriptorsOn(a), 1, "evicted, but a request still reads it");
  t.is((await reading.read(0, 1)).toString(), "a");
  reading.release();
  await closedWithin(a, "the evicted file to close once read");
  t.is(descriptorsOn(b), 1);
  t.is(descriptorsOn(c), 1);
  // Served again, it is opened again (and the least recent of the others makes room).
  (await files.lease(a))?.release();
  t.is(descriptorsOn(a), 1);
  await closedWithin(b, "the least recently served file to close");
});

test("a file replaced on disk is served anew within the check interval, and the old one closes", async (t) => {
  const file = fileOf("old bytes");
  const files = new OpenFiles({ max: 4, checkMs: 50 });
  const old = await files.lease(file);
  if (old === undefined) return t.fail("not opened");
  old.release();
  // As a re-ingest does: the new bytes are written aside and renamed over the old.
  const aside = `${file}.new`;
  writeFileSync(aside, "new bytes, longer");
  renameSync(aside, file);
  const fresh = await waitFor(
    "the replaced file to be opened again",
    async () => {
      const f = await files.lease(file);
      f?.release();
      return f !== undefined && f !== old ? f : undefined;
    },
    5_000,
  );
  t.is(fresh.size, 17);
  t.is(fresh.etag, etag(statSync(file)));
  t.is((await fresh.read(0, 9)).toString(), "new bytes");
  await waitFor(
    "the old file's descriptor to close",
    () => !heldOn(file).includes(`${file} (deleted)`),
    5_000,
  );
});

test("a file removed from disk is gone within the check interval, and its descriptor closes even unasked", async (t) => {
  const file = fileOf("bytes");
  const files = new OpenFiles({ max: 4, checkMs: 50 });
  (await files.lease(file))?.release();
  unlinkSync(file);
  await closedWithin(file, "the removed file's descriptor to close with no request for it");
  t.is(await files.lease(file), undefined);
});

test("a read past what the file now holds fails rather than serving short", async (t) => {
  const file = fileOf("0123456789");
  const files = new OpenFiles({ max: 4, checkMs: 60_000 });
  const open = await files.lease(file);
  if (open === undefined) return t.fail("not opened");
  truncateSync(file, 4); // never done to a published file: the size the file was opened with no longer holds
  await t.throwsAsync(open.read(2, 6), { message: /short read/ });
  open.release();
});

test("files opened together by requests that missed at once leave one open", async (t) => {
  const file = fileOf("bytes");
  const files = new OpenFiles({ max: 4, checkMs: 60_000 });
  const leased = await Promise.all(Array.from({ length: 8 }, () => files.lease(file)));
  for (const f of leased) t.is((await f?.read(0, 5))?.toString(), "bytes");
  for (const f of leased) f?.release();
  await waitFor("the extra descriptors to close", () => descriptorsOn(file) === 1, 5_000);
  const again = await files.lease(file);
  t.true(leased.includes(again), "the one kept is one of those opened");
  again?.release();
});
