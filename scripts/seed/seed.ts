/**
 * `npm run seed`: loads the synthetic catalog (2,400 titles by default,
 * deterministic ids, so running it again rewrites the same rows) into the
 * configured backends (MARQUEE_BACKENDS), announces each title on
 * content.published, then rebuilds search from the store with an alias swap.
 *
 *   npm run seed                     # seed, then rebuild search
 *   npm run seed -- --size 5000      # a bigger catalog
 *   npm run seed -- --reindex        # only rebuild search from the store (no seeding)
 *
 * In embedded mode the data lives under data/content; stop `npm start` first
 * (one process owns an embedded store). Embedded search is rebuilt at every start.
 */
import { parseArgs } from "node:util";
import {
  generateCatalog,
  loadContentConfig,
  openContentBackends,
  rebuildSearchIndex,
  seedCatalog,
} from "@marquee/content/admin";
import { createLogger, loadBackendsConfig } from "@marquee/kit";
import { SingleBar } from "cli-progress";

const { values } = parseArgs({
  options: {
    size: { type: "string" },
    reindex: { type: "boolean", default: false },
    "no-events": { type: "boolean", default: false },
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
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} finally {
  await b.close();
}
