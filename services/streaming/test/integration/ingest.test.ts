import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import test from "ava";
import { resolveFfmpeg } from "../../src/ingest/ffmpeg.js";
import { makeSyntheticSource } from "../../src/ingest/synthetic.js";
import { INCOMING, readAsset, transcodeToAsset } from "../../src/ingest/transcode.js";
import { startOrigin } from "./origin-server.js";

const ffmpeg = resolveFfmpeg();
const work = mkdtempSync(path.join(tmpdir(), "marquee-ingest-"));
const mediaDir = path.join(work, "media");
const source = path.join(work, "clip.mp4");
test.before(async () => {
  await makeSyntheticSource(ffmpeg, source, { seconds: 9, pattern: "testsrc2" });
});
test.after.always(() => rmSync(work, { recursive: true, force: true }));

interface Rep {
  id: string;
  mimeType: string;
  height?: number;
  bandwidth: number;
  init: string;
  media: string[];
  segmentSeconds: number[];
}

/** The Representations of an ffmpeg MPD with every segment URL expanded from its template and timeline. */
function representations(mpd: string): Rep[] {
  return [...mpd.matchAll(/<Representation\b([^>]*)>([\s\S]*?)<\/Representation>/g)].map((m) => {
    const attrs = m[1] as string;
    const body = m[2] as string;
    const attr = (name: string, from = attrs) => new RegExp(`\\b${name}="([^"]*)"`).exec(from)?.[1];
    const id = attr("id") as string;
    const template = /<SegmentTemplate\b([^>]*)>/.exec(body)?.[1] ?? "";
    const timescale = Number(attr("timescale", template));
    let number = Number(attr("startNumber", template) ?? 1);
    const media: string[] = [];
    const segmentSeconds: number[] = [];
    for (const s of body.matchAll(/<S\b([^>]*)\/>/g)) {
      const d = Number(attr("d", s[1]));
      const repeat = Number(attr("r", s[1]) ?? 0);
      for (let i = 0; i <= repeat; i++) {
        media.push(
          (attr("media", template) as string)
            .replace("$RepresentationID$", id)
            .replace(/\$Number%0(\d)d\$/, (_x, w: string) => String(number).padStart(Number(w), "0")),
        );
        segmentSeconds.push(d / timescale);
        number++;
      }
    }
    const height = attr("height");
    return {
      id,
      mimeType: attr("mimeType") as string,
      height: height === undefined ? undefined : Number(height),
      bandwidth: Number(attr("bandwidth")),
      init: (attr("initialization", template) as string).replace("$RepresentationID$", id),
      media,
      segmentSeconds,
    };
  });
}

function get(url: string): Promise<{ status: number; type: string; length: number }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let length = 0;
        res.on("data", (c: Buffer) => {
          length += c.length;
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), length }),
        );
      })
      .on("error", reject);
  });
}

test.serial(
  "an ingest of a short generated clip yields a valid MPD whose every segment is fetchable",
  async (t) => {
    const assetId = randomUUID();
    const seen: number[] = [];
    const asset = await transcodeToAsset({
      ffmpeg,
      source,
      mediaDir,
      assetId,
      preset: "ultrafast",
      onProgress: (f) => seen.push(f),
    });
    t.true(
      seen.length > 3 && seen.every((f, i) => i === 0 || f >= (seen[i - 1] as number)),
      "progress only grows",
    );
    t.is(seen[seen.length - 1], 1);
    t.true(Math.abs(asset.durationMs - 9_000) < 200);
    t.deepEqual(await readAsset(mediaDir, assetId), asset);

    const mpd = readFileSync(path.join(mediaDir, assetId, "manifest.mpd"), "utf8");
    t.regex(mpd, /<MPD[\s\S]*type="static"/);
    const reps = representations(mpd);
    const video = reps.filter((r) => r.mimeType === "video/mp4");
    const audio = reps.filter((r) => r.mimeType === "audio/mp4");
    t.true(video.length >= 4);
    t.is(audio.length, 1);
    t.deepEqual(
      video.map((r) => r.height),
      [240, 360, 480, 720, 1080],
    );
    t.is(new Set(video.map((r) => r.bandwidth)).size, video.length, "distinct bitrates");
    // Aligned keyframes: every video rendition is cut at the same instants, 2–4 s apart (the last may be shorter).
    const cuts = video.map((r) => r.segmentSeconds.join(","));
    t.is(new Set(cuts).size, 1, "segment boundaries match across renditions");
    for (const d of (video[0] as Rep).segmentSeconds.slice(0, -1))
      t.true(d >= 2 && d <= 4, `segment of ${d}s`);
    t.regex(mpd, /codecs="avc1\.[0-9a-f]{6}"/);
    t.regex(mpd, /codecs="mp4a\.40\.2"/);
    t.true(existsSync(path.join(mediaDir, assetId, "poster.jpg")));
    t.true(readdirSync(path.join(mediaDir, assetId)).some((f) => /^thumb-\d{4}\.jpg$/.test(f)));

    // Every segment through the media origin with a signed URL.
    const { base, signer } = await startOrigin(t, mediaDir);
    const manifest = signer.manifestPath({
      sessionId: randomUUID(),
      assetId,
      expires: Math.floor(Date.now() / 1000) + 600,
      maxHeight: 0,
    });
    const served = await get(base + manifest);
    t.is(served.status, 200);
    let fetched = 0;
    for (const rep of reps) {
      for (const file of [rep.init, ...rep.media]) {
        const res = await get(base + manifest.replace(/manifest\.mpd$/, file));
        t.is(res.status, 200, file);
        t.is(res.type, rep.mimeType);
        t.true(res.length > 0);
        fetched++;
      }
    }
    t.true(fetched >= 6 * 3);
    t.is(readdirSync(path.join(mediaDir, INCOMING)).length, 0, "no work directory left behind");
  },
);

test.serial("an interrupted ingest publishes nothing and can be run again", async (t) => {
  const assetId = randomUUID();
  const abort = new AbortController();
  await t.throwsAsync(
    transcodeToAsset({
      ffmpeg,
      source,
      mediaDir,
      assetId,
      preset: "ultrafast",
      signal: abort.signal,
      onProgress: (f) => {
        if (f > 0.05) abort.abort();
      },
    }),
  );
  t.false(existsSync(path.join(mediaDir, assetId)));
  t.is(await readAsset(mediaDir, assetId), undefined);
  t.deepEqual(readdirSync(path.join(mediaDir, INCOMING)), []);
  const again = await transcodeToAsset({ ffmpeg, source, mediaDir, assetId, preset: "ultrafast" });
  t.is(again.assetId, assetId);
  t.truthy(await readAsset(mediaDir, assetId));
});

test("a file that is not a video fails clearly and publishes nothing", async (t) => {
  const assetId = randomUUID();
  const err = await t.throwsAsync(
    transcodeToAsset({ ffmpeg, source: path.join(work, "nothing.mp4"), mediaDir, assetId }),
  );
  t.regex(err?.message ?? "", /does not exist/);
  t.false(existsSync(path.join(mediaDir, assetId)));
});
