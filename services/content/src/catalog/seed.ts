import type { Logger } from "@marquee/kit";
import type { EventBus } from "@marquee/kit/bus";
import { publishVisibility } from "../events.js";
import type { ContentStore } from "../store.js";
import { DEFAULT_CATALOG_SIZE, generateCatalog } from "./generate.js";

export interface SeedOptions {
  size?: number;
  /** Announce each title on content.published (others, e.g. recommendations, learn the catalog). */
  bus?: EventBus;
  log: Logger;
  /** Writes in flight at once. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Loads the synthetic catalog into the store. Idempotent: the same ids and
 * rows every time, and the same event msgIds (dropped as duplicates within
 * the stream's window).
 */
export async function seedCatalog(store: ContentStore, opts: SeedOptions): Promise<number> {
  const catalog = generateCatalog(opts.size ?? DEFAULT_CATALOG_SIZE);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < catalog.length) {
      const content = catalog[next++];
      if (content === undefined) break;
      await store.put(content);
      if (opts.bus) await publishVisibility(opts.bus, content);
      opts.onProgress?.(++done, catalog.length);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 16 }, worker));
  opts.log.info({ titles: catalog.length }, "catalog seeded");
  return catalog.length;
}
