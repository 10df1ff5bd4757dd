/**
 * Draws, in the background, every picture the catalog points at on this
 * origin and does not have yet, so a member's first look at a row is a file
 * read, not a drawing. Two at a time (the drawing runs on libuv's pool), and
 * it stops when the service does.
 */
import type { Logger } from "@marquee/kit";
import type { Content } from "@marquee/sdk/marquee/content/v1/content_pb";
import type { ContentStore } from "../store.js";
import { ARTWORK_KINDS, type ArtworkFiles, artworkPath } from "./artwork-files.js";

export interface Warmer {
  /** Settles when every picture is drawn, or the warmer was stopped. */
  readonly done: Promise<number>;
  stop(): Promise<void>;
}

const AT_ONCE = 2;

function ownsArtwork(content: Content): boolean {
  return content.artwork?.posterUrl === artworkPath(content.contentId, "poster");
}

export function warmArtwork(store: ContentStore, files: ArtworkFiles, log: Logger): Warmer {
  let stopped = false;
  const run = async (): Promise<number> => {
    const started = Date.now();
    let drawn = 0;
    const queue: Content[] = [];
    const drain = async () => {
      for (let content = queue.shift(); content !== undefined && !stopped; content = queue.shift()) {
        for (const kind of ARTWORK_KINDS) await files.ensure(content, kind);
        drawn++;
      }
    };
    for await (const content of store.scan()) {
      if (stopped) break;
      if (ownsArtwork(content)) queue.push(content);
    }
    await Promise.all(Array.from({ length: AT_ONCE }, drain));
    if (!stopped) log.info({ titles: drawn, ms: Date.now() - started }, "artwork ready");
    return drawn;
  };
  const done = run().catch((err: unknown) => {
    log.warn({ err }, "artwork warm-up stopped; pictures are drawn on first view instead");
    return 0;
  });
  return {
    done,
    async stop() {
      stopped = true;
      await done;
    },
  };
}
