/**
 * `npm run seed`: loads the synthetic catalog (2,400 titles by default,
 * deterministic ids, so running it again rewrites the same rows) into the
 * configured backends (MARQUEE_BACKENDS), announces each title on
 * content.published, rebuilds search from the store with an alias swap, then
 * makes the demo pool in the streaming service's media directory
 * (MARQUEE_MEDIA_DIR): the short clips every seeded movie and episode points
 * at, so the whole catalog plays (clips already there are kept).
 *
 *   npm run seed                     # seed, rebuild search, make the missing pool clips
 *   npm run seed -- --size 5000      # a bigger catalog
 *   npm run seed -- --reindex        # only rebuild search from the store (no seeding)
 *   npm run seed -- --no-media       # leave the pool clips out
 *
 * In embedded mode the data lives under data/content; stop `npm start` first
 * (one process owns an embedded store). Embedded search is rebuilt at every start.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import {
  generateCatalog,
  loadContentConfig,
  openContentBackends,
  rebuildSearchIndex,
  seedCatalog,
} from "@marquee/content/admin";
import { createLogger, loadBackendsConfig } from "@marquee/kit";
import { loadStreamingConfig } from "@marquee/streaming/config";
import { resolveFfmpeg } from "@marquee/streaming/ingest/ffmpeg";
import { makePoolClip, POOL_CLIPS } from "@marquee/streaming/ingest/pool";
import { SingleBar } from "cli-progress";

const { values } = parseArgs({
  options: {
    size: { type: "string" },
    reindex: { type: "boolean", default: false },
    "no-events": { type: "boolean", default: false },
    "no-media": { type: "boolean", default: false },
  },
});

const backends = loadBackendsConfig();
const config = loadContentConfig();
const size = values.size === undefined ? config.seedSize : Number(values.size);
if (!Number.isInteger(size) || size < 50 || size > 200_000) {
  console.error("--size must be a whole number from 50 to 200000");
  process.exit(2);
}
const log = createLogger("seed", process.env.MARQUEE_LOG_LEVEL ?? "warn");
const b = await openContentBackends(backends, config, log);
try {
  const started = Date.now();
  if (!values.reindex) {
    console.log(`seeding ${size} titles into the ${backends.mode} backends…`);
    const bar = new SingleBar({ format: "  {bar} {value}/{total} titles", hideCursor: true });
    bar.start(size, 0);
    await seedCatalog(b.store, {
      size,
      bus: values["no-events"] ? undefined : b.bus,
      log,
      onProgress: (done) => bar.update(done),
    });
    bar.stop();
    const genres = new Set(generateCatalog(size).flatMap((c) => c.genreIds));
    console.log(`seeded ${size} titles in ${genres.size} genres`);
  }
  if (backends.mode === "external") {
    const count = await rebuildSearchIndex(b.store, b.search, log);
    console.log(`search index ${config.searchAlias} rebuilt with ${count} published titles (alias swapped)`);
  } else {
    console.log("embedded search is rebuilt from the store at every start");
  }
  if (!values.reindex && !values["no-media"]) await makePool();
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} finally {
  await b.close();
}

/** The demo pool clips not made yet, one after another, with a bar. */
async function makePool(): Promise<void> {
  const { MARQUEE_MEDIA_DIR } = loadStreamingConfig(
    process.env,
    backends.mode,
    path.resolve(backends.embeddedDataDir),
  );
  const mediaDir = path.resolve(MARQUEE_MEDIA_DIR);
  console.log(`making the ${POOL_CLIPS.length} demo pool clips in ${mediaDir}…`);
  const bar = new SingleBar({ format: "  {bar} {value}/{total} clips | {look} {stage}", hideCursor: true });
  bar.start(POOL_CLIPS.length, 0, { look: "", stage: "" });
  const ffmpeg = resolveFfmpeg();
  let made = 0;
  for (const [i, clip] of POOL_CLIPS.entries()) {
    const fresh = await makePoolClip(clip, {
      ffmpeg,
      mediaDir,
      preset: "ultrafast",
      onProgress: (_, stage) => bar.update(i, { look: clip.look, stage }),
    });
    if (fresh) made++;
    bar.update(i + 1, { look: clip.look, stage: "" });
  }
  bar.stop();
  console.log(`demo pool: ${made} clips made, ${POOL_CLIPS.length - made} already there`);
}
