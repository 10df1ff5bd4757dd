/**
 * The seeded catalog plays: every seeded movie and episode points at a clip
 * of the demo pool (by asset id), and members read whether a title plays
 * (`playable`) in listings, search and details; a title with no media reads
 * as not playable until media is attached. Run on each set of adapters.
 */
import { DEMO_POOL_SECONDS, DEMO_POOL_SIZE, demoPoolAssetId } from "@marquee/kit";
import { waitFor } from "@marquee/kit/testing";
import { ContentType } from "@marquee/sdk/marquee/content/v1/content_pb";
import { BrowseSort } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import type { TestFn } from "ava";
import { generateCatalog } from "../src/catalog/generate.js";
import { type ContentFixture, callers } from "./fixture.js";
import { input } from "./helpers.js";

export function demoMediaSuite(test: TestFn<{ f: ContentFixture }>, seedSize: number): void {
  const pool = new Set(Array.from({ length: DEMO_POOL_SIZE }, (_, i) => demoPoolAssetId(i)));

  test("demo pool: every seeded movie and episode plays a pool clip, by reference, spread over the whole pool", async (t) => {
    const { store } = t.context.f;
    const ids = generateCatalog(seedSize).map((c) => c.contentId);
    const stored = await store.getMany(ids);
    t.is(stored.size, ids.length);
    const used = new Map<string, number>();
    let episodes = 0;
    for (const content of stored.values()) {
      const media =
        content.type === ContentType.SERIES
          ? content.seasons.flatMap((s) => s.episodes.map((e) => e.media))
          : [content.media];
      if (content.type === ContentType.SERIES) episodes += media.length;
      t.true(media.length > 0, `${content.title} has something to play`);
      for (const m of media) {
        const assetId = m?.assetId ?? "";
        t.true(pool.has(assetId), `${content.title}: ${assetId} is a pool clip`);
        t.is(m?.manifestPath, `${assetId}/manifest.mpd`);
        t.is(Number(m?.duration?.seconds), DEMO_POOL_SECONDS);
        used.set(assetId, (used.get(assetId) ?? 0) + 1);
      }
    }
    t.true(episodes > 0, "the catalog has series with episodes");
    t.is(used.size, DEMO_POOL_SIZE, "every clip is used");
    const counts = [...used.values()];
    t.true(Math.min(...counts) * 3 > Math.max(...counts), `spread evenly: ${counts.join(", ")}`);
  });

  test("playable: set in browse, search and details; a title with no media is not playable until it has some", async (t) => {
    const f = t.context.f;
    const member = f.client(callers.adult);
    const page = await member.browseContent({ sort: BrowseSort.POPULARITY, pageSize: 50 });
    t.true(page.contents.length > 0);
    t.true(
      page.contents.every((c) => c.playable),
      "every seeded title plays",
    );
    t.true(
      page.contents.some((c) => c.type === ContentType.SERIES),
      "series too, though listings carry no seasons",
    );
    const first = page.contents[0];
    const hits = await member.searchContent({ query: first?.title ?? "", pageSize: 5 });
    t.true(hits.results.find((r) => r.content?.contentId === first?.contentId)?.content?.playable === true);

    const op = f.client(callers.operator);
    const { content } = await op.createContent({ content: input({ title: "Wexley Undercroft" }) });
    const id = content?.contentId ?? "";
    await op.publishContent({ contentId: id });
    const found = async () =>
      (await member.searchContent({ query: "wexley undercroft", pageSize: 5 })).results.find(
        (r) => r.content?.contentId === id,
      )?.content;
    t.false((await waitFor("the new title in search", found, 15_000)).playable, "search: coming soon");
    t.false((await member.getContentDetails({ contentId: id })).content?.playable, "details: coming soon");
    const newest = await member.browseContent({ genreId: "thriller", sort: BrowseSort.NEWEST, pageSize: 5 });
    t.false(newest.contents.find((c) => c.contentId === id)?.playable ?? true, "browse: coming soon");

    await f.client(callers.internal).attachMedia({
      contentId: id,
      media: { assetId: demoPoolAssetId(0), manifestPath: `${demoPoolAssetId(0)}/manifest.mpd` },
    });
    t.true((await member.getContentDetails({ contentId: id })).content?.playable);
    await waitFor("search to see the media", async () => (await found())?.playable === true, 15_000);
  });
}
