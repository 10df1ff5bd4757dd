/**
 * The demo pool through the first start's demo ingest: clips made by the
 * ingest path under their fixed asset ids (what the seeded titles point at),
 * progress told per clip, nothing made twice, and pool clips made beforehand
 * (`npm run seed`) do not make a start look like one with media of its own.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createLogger } from "@marquee/kit";
import { ContentType } from "@marquee/sdk/marquee/content/v1/content_pb";
import test from "ava";
import { type DemoProgress, seedDemoTitles } from "../../src/demo.js";
import { resolveFfmpeg } from "../../src/ingest/ffmpeg.js";
import { makePoolClip, POOL_CLIPS } from "../../src/ingest/pool.js";
import { readAsset } from "../../src/ingest/transcode.js";

const log = createLogger("test", "silent");

/** A content service that records what the demo ingest asks of it. */
function fakeContent() {
  const created: string[] = [];
  return {
    created,
    client: {
      async createContent(req: { content?: { title?: string } }) {
        created.push(req.content?.title ?? "");
        return { content: { contentId: `c-${created.length}`, type: ContentType.MOVIE } };
      },
      async attachMedia() {
        return {};
      },
      async publishContent() {
        return {};
      },
    } as never,
  };
}

test("the demo ingest makes the short titles, then the pool clips under their fixed ids, once", async (t) => {
  t.timeout(600_000);
  const mediaDir = mkdtempSync(path.join(tmpdir(), "marquee-pool-"));
  t.teardown(() => rmSync(mediaDir, { recursive: true, force: true }));
  const pool = POOL_CLIPS.slice(0, 2);
  const content = fakeContent();
  const seen: DemoProgress[] = [];
  const options = {
    ffmpeg: resolveFfmpeg(),
    mediaDir,
    content: content.client,
    log,
    seconds: 4,
    longSeconds: 0,
    poolSeconds: 4,
    preset: "ultrafast",
    titles: [
      {
        key: "signal",
        requestId: "5e0f3c7a-8d21-4b6e-9f4a-1c2d3e4f5a61",
        title: "Test Signal",
        synopsis: "",
        genreIds: ["documentary"],
        pattern: "testsrc2" as const,
        toneHz: 440,
      },
    ],
    pool,
    onProgress: (p: DemoProgress) => seen.push(p),
  };
  t.is(await seedDemoTitles(options), 3);
  t.deepEqual(content.created, ["Test Signal"], "pool clips are no titles");
  for (const clip of pool) {
    const asset = await readAsset(mediaDir, clip.assetId);
    t.is(asset?.assetId, clip.assetId);
    t.is(asset?.manifestPath, `${clip.assetId}/manifest.mpd`);
    t.true((asset?.renditions.length ?? 0) > 0);
  }
  const titlesInOrder = [...new Set(seen.filter((p) => p.state === "running").map((p) => p.title))];
  t.deepEqual(titlesInOrder, ["Test Signal", ...pool.map((c) => `${c.look} (catalog clip)`)]);
  const last = seen.at(-1);
  t.like(last, { state: "done", made: 3, total: 3, poolMade: 2, poolTotal: 2 });
  t.true(seen.every((p, i) => i === 0 || p.fraction >= (seen[i - 1]?.fraction ?? 0) - 1e-9));

  // Made once: the next start has nothing to do.
  t.is(await seedDemoTitles(options), 0);
  t.deepEqual(content.created, ["Test Signal"]);
});

test("pool clips made before any start (npm run seed) are kept, and the start still counts as a first one", async (t) => {
  t.timeout(600_000);
  const mediaDir = mkdtempSync(path.join(tmpdir(), "marquee-pool-"));
  t.teardown(() => rmSync(mediaDir, { recursive: true, force: true }));
  const clip = POOL_CLIPS[0] as (typeof POOL_CLIPS)[number];
  const ffmpeg = resolveFfmpeg();
  t.true(await makePoolClip(clip, { ffmpeg, mediaDir, preset: "ultrafast", seconds: 4 }));
  t.false(await makePoolClip(clip, { ffmpeg, mediaDir, preset: "ultrafast", seconds: 4 }), "already there");
  const before = await readAsset(mediaDir, clip.assetId);
  const content = fakeContent();
  const made = await seedDemoTitles({
    ffmpeg,
    mediaDir,
    content: content.client,
    log,
    seconds: 4,
    longSeconds: 0,
    poolSeconds: 4,
    preset: "ultrafast",
    titles: [],
    pool: [clip],
  });
  t.is(made, 1, "the clip's step is done at once");
  t.deepEqual(await readAsset(mediaDir, clip.assetId), before, "the clip is the same one");
});
