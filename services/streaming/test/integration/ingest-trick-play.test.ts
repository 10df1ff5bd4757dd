/**
 * Trick-play made by a real ingest (ffmpeg): the sprite sheets and the WebVTT
 * thumbnails track are published with the asset and named in its
 * description, the cues cover the whole title, every tile lies within its
 * sheet's real size, and the origin serves them on a signed path only.
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import test from "ava";
import { resolveFfmpeg, runFfmpeg } from "../../src/ingest/ffmpeg.js";
import { makeSyntheticSource } from "../../src/ingest/synthetic.js";
import { readAsset, transcodeToAsset } from "../../src/ingest/transcode.js";
import { TILE_HEIGHT, TILE_WIDTH } from "../../src/ingest/trick-play.js";
import { startOrigin } from "./origin-server.js";

const ffmpeg = resolveFfmpeg();
const work = mkdtempSync(path.join(tmpdir(), "marquee-trick-play-"));
const mediaDir = path.join(work, "media");
const source = path.join(work, "clip.mp4");
/** Long enough for more tiles than one row holds. */
const SECONDS = 25;
test.before(async () => {
  await makeSyntheticSource(ffmpeg, source, { seconds: SECONDS, pattern: "testsrc2" });
});
test.after.always(() => rmSync(work, { recursive: true, force: true }));

/** Width and height of an image, from ffmpeg's description of it. */
async function sizeOf(file: string): Promise<{ width: number; height: number }> {
  const banner = await runFfmpeg(ffmpeg, ["-hide_banner", "-i", file], { allowFailure: true });
  const m = /Video: .*?(\d{2,5})x(\d{2,5})/.exec(banner);
  if (!m) throw new Error(`no size in ${banner}`);
  return { width: Number(m[1]), height: Number(m[2]) };
}

const seconds = (t: string) => {
  const [h, m, s] = t.split(":").map(Number) as [number, number, number];
  return h * 3600 + m * 60 + s;
};

test("an ingest makes sprite sheets and a thumbnails track that covers the title, served only on a signed path", async (t) => {
  t.timeout(300_000);
  const assetId = randomUUID();
  const stages: string[] = [];
  const asset = await transcodeToAsset({
    ffmpeg,
    source,
    mediaDir,
    assetId,
    preset: "ultrafast",
    onProgress: (_f, stage) => stages.push(stage),
  });
  t.true(stages.includes("seek bar previews"));
  const dir = path.join(mediaDir, assetId);
  const trick = asset.trickPlay;
  if (trick === undefined) return t.fail("no trick-play in the asset's description");
  t.deepEqual((await readAsset(mediaDir, assetId))?.trickPlay, trick);
  t.is(trick.track, "thumbnails.vtt");
  t.is(trick.intervalSeconds, 2);
  t.deepEqual(trick.sprites, ["sprite-001.jpg"]);
  t.deepEqual(
    readdirSync(dir).filter((f) => f.startsWith("sprite-") || f.endsWith("frames")),
    trick.sprites,
    "the sprites, and no work files left",
  );

  const sheet = await sizeOf(path.join(dir, "sprite-001.jpg"));
  // 13 tiles every 2 s of 25 s: ten columns, two rows.
  t.deepEqual(sheet, { width: 10 * TILE_WIDTH, height: 2 * TILE_HEIGHT });

  const vtt = readFileSync(path.join(dir, trick.track), "utf8");
  t.true(vtt.startsWith("WEBVTT\n"));
  const cues = [...vtt.matchAll(/^(\S+) --> (\S+)\n(\S+)#xywh=(\d+),(\d+),(\d+),(\d+)$/gm)];
  // A tile every 2 s (ffmpeg's fps filter may make one fewer at the very end; the last cue then runs longer).
  t.true(Math.abs(cues.length - Math.ceil(SECONDS / trick.intervalSeconds)) <= 1, `${cues.length} cues`);
  let last = 0;
  const tiles = new Set<string>();
  for (const c of cues) {
    const [start, end] = [seconds(c[1] as string), seconds(c[2] as string)];
    t.is(start, last, "each cue starts where the one before ended");
    t.true(end > start);
    last = end;
    t.true(trick.sprites.includes(c[3] as string));
    const [x, y, w, h] = c.slice(4, 8).map(Number) as [number, number, number, number];
    t.true(x >= 0 && y >= 0 && x + w <= sheet.width && y + h <= sheet.height, `${c[0]} within the sheet`);
    tiles.add(`${c[3]}#${x},${y}`);
  }
  t.true(Math.abs(last * 1000 - asset.durationMs) < 1, "the last cue ends with the title");
  t.is(tiles.size, cues.length, "every cue its own tile");

  const { base, signer } = await startOrigin(t, mediaDir);
  const manifest = signer.manifestPath({
    sessionId: randomUUID(),
    assetId,
    expires: Math.floor(Date.now() / 1000) + 600,
    maxHeight: 480,
  });
  const track = await fetch(base + manifest.replace(/manifest\.mpd$/, trick.track));
  t.is(track.status, 200);
  t.is(await track.text(), vtt);
  const sprite = await fetch(base + manifest.replace(/manifest\.mpd$/, "sprite-001.jpg"));
  t.is(sprite.status, 200);
  t.is(sprite.headers.get("content-type"), "image/jpeg");
  t.deepEqual(Buffer.from(await sprite.arrayBuffer()), readFileSync(path.join(dir, "sprite-001.jpg")));
  t.is((await fetch(`${base}/media/art/${assetId}/sprite-001.jpg`)).status, 404);
  t.false(existsSync(path.join(dir, "trick-frames")));
});
