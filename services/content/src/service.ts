import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import {
  callerOf,
  decodePageToken,
  encodePageToken,
  KeyedLock,
  type Logger,
  requireInternal,
  requireScope,
} from "@marquee/kit";
import type { EventBus } from "@marquee/kit/bus";
import {
  type Content,
  ContentSchema,
  ContentType,
  PublishState,
} from "@marquee/sdk/marquee/content/v1/content_pb";
import {
  BrowseSort,
  type ContentService,
  ContentWithheld_Reason,
  ContentWithheldSchema,
} from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { z } from "zod";
import { browsePage } from "./browse.js";
import { TtlCache } from "./cache.js";
import { uuidV5 } from "./catalog/uuid.js";
import { newContent, updatedContent } from "./content-input.js";
import { GENRES, isKnownGenre, unknownGenres } from "./domain/genres.js";
import { allowed, effectiveCap } from "./domain/maturity.js";
import { withPlayable } from "./domain/playable.js";
import type { BrowseOrder } from "./domain/sort-keys.js";
import { rankTrending, TRENDING_WINDOW_MS, type Trend } from "./domain/trending.js";
import { isVisible } from "./domain/visibility.js";
import { announce } from "./events.js";
import type { SearchIndex } from "./search.js";
import { ALL_GENRES, type ContentStore } from "./store.js";
import type { TrendingStore } from "./trending-store.js";

export interface ContentServiceDeps {
  store: ContentStore;
  search: SearchIndex;
  trending: TrendingStore;
  bus: EventBus;
  log: Logger;
  /** Half-life of a view's weight in the trending score. */
  trendingHalfLifeMs?: number;
  /** How long a computed trending ranking is served before it is computed again. */
  trendingCacheMs?: number;
  /** How long genre counts are served before they are counted again. */
  genreCacheMs?: number;
}

/** Operators hold this scope (internal services pass every scope check). */
const CATALOG_WRITE = "catalog:write";
/** Namespace of the ids of titles made by CreateContent calls with a request id (a random UUID fixed once). */
const CREATE_REQUEST_NAMESPACE = "3d0a8c52-7b1e-4f69-a4d2-95c1e0b7f6a3";

/** Deepest search result reachable by paging (OpenSearch's result window). */
const MAX_SEARCH_OFFSET = 10_000;

const ORDERS: Record<BrowseSort, BrowseOrder> = {
  [BrowseSort.UNSPECIFIED]: "popularity",
  [BrowseSort.POPULARITY]: "popularity",
  [BrowseSort.NEWEST]: "newest",
  [BrowseSort.TITLE]: "title",
};

const browseToken = z.object({
  g: z.string(),
  o: z.enum(["popularity", "newest", "title"]),
  k: z.string(),
  i: z.string(),
});
const searchToken = z.object({ q: z.string(), o: z.number().int().min(0).max(MAX_SEARCH_OFFSET) });

const notFound = (contentId: string) => new ConnectError(`no title ${contentId}`, Code.NotFound);
const aboveCap = () =>
  new ConnectError(
    "this title is rated above this profile's maturity cap",
    Code.PermissionDenied,
    undefined,
    [
      {
        desc: ContentWithheldSchema,
        value: create(ContentWithheldSchema, { reason: ContentWithheld_Reason.MATURITY_CAP }),
      },
    ],
  );

/** Browse listings carry no seasons (GetContentDetails does), but say whether the title plays. */
const withoutSeasons = (c: Content): Content => withPlayable(c, { seasons: false });

/** The caller's maturity cap narrowed by the request's own. */
function capOf(ctx: HandlerContext, requested: number): number {
  return effectiveCap(callerOf(ctx).maturityCap, requested);
}

/**
 * The ContentService handlers. Read RPCs are open to every caller (the
 * catalog is public metadata) and always apply the maturity cap in force;
 * operator RPCs need the "catalog:write" scope, AttachMedia an internal caller.
 */
export function contentService(deps: ContentServiceDeps): ServiceImpl<typeof ContentService> {
  const { store, search, trending, bus } = deps;
  const lock = new KeyedLock();
  const halfLifeMs = deps.trendingHalfLifeMs ?? 6 * 3_600_000;
  const trendCache = new TtlCache<Trend[]>(deps.trendingCacheMs ?? 10_000);
  const genreCache = new TtlCache<Map<string, number>>(deps.genreCacheMs ?? 30_000);

  async function load(contentId: string): Promise<Content> {
    const content = await store.get(contentId);
    if (content === undefined) throw notFound(contentId);
    return content;
  }

  /**
   * Writes the title; a visibility change (or a change to a visible title) is announced. The
   * event is owed in the same write (the outbox), so if it cannot go out now the relay sends it.
   */
  async function save(content: Content, owesEvent: boolean): Promise<Content> {
    const pending = await store.put(content, owesEvent);
    if (pending !== undefined) {
      await announce(store, bus, pending).catch((err: unknown) =>
        deps.log.warn(
          { err, contentId: content.contentId },
          "visibility event not published yet; the relay will retry",
        ),
      );
    }
    return content;
  }

  async function countGenres(cap: number): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    await Promise.all(
      GENRES.map(async (g) => {
        let n = 0;
        let after: { key: string; id: string } | undefined;
        for (;;) {
          const rows = await store.browseRows(g.id, "popularity", after, 1_000);
          for (const row of rows) if (allowed(row.maturity, cap)) n++;
          const last = rows.at(-1);
          if (last === undefined || rows.length < 1_000) break;
          after = { key: last.key, id: last.id };
        }
        counts.set(g.id, n);
      }),
    );
    return counts;
  }

  return {
    async browseContent(req, ctx) {
      if (req.genreId !== "" && !isKnownGenre(req.genreId)) {
        throw new ConnectError(
          `genre_id: unknown genre "${req.genreId}" (GetGenres lists them)`,
          Code.InvalidArgument,
        );
      }
      const bucket = req.genreId === "" ? ALL_GENRES : req.genreId;
      const order = ORDERS[req.sort];
      const position = decodePageToken(req.pageToken, browseToken);
      if (position !== undefined && (position.g !== bucket || position.o !== order)) {
        throw new ConnectError(
          "page_token belongs to another genre or sort order; start again without it",
          Code.InvalidArgument,
        );
      }
      const page = await browsePage(store, {
        bucket,
        order,
        after: position && { key: position.k, id: position.i },
        limit: req.pageSize,
        cap: capOf(ctx, req.maxMaturityRating),
      });
      return {
        contents: page.items.map(withoutSeasons),
        nextPageToken: page.next
          ? encodePageToken({ g: bucket, o: order, k: page.next.key, i: page.next.id })
          : "",
      };
    },

    async searchContent(req, ctx) {
      const text = req.query.trim();
      if (text === "")
        throw new ConnectError("query: must contain a word to search for", Code.InvalidArgument);
      const unknown = unknownGenres(req.genreIds);
      if (unknown.length > 0) {
        throw new ConnectError(
          `genre_ids: unknown genre "${unknown[0]}" (GetGenres lists them)`,
          Code.InvalidArgument,
        );
      }
      if (req.releaseYearFrom > 0 && req.releaseYearTo > 0 && req.releaseYearFrom > req.releaseYearTo) {
        throw new ConnectError("release_year_from: must not be after release_year_to", Code.InvalidArgument);
      }
      const cap = capOf(ctx, req.maxMaturityRating);
      // The token is bound to the query it paged, so it cannot be replayed on another.
      const fingerprint = JSON.stringify([text, req.genreIds, req.releaseYearFrom, req.releaseYearTo, cap]);
      const position = decodePageToken(req.pageToken, searchToken);
      if (position !== undefined && position.q !== fingerprint) {
        throw new ConnectError(
          "page_token belongs to another search; start again without it",
          Code.InvalidArgument,
        );
      }
      const offset = position?.o ?? 0;
      const limit = Math.min(req.pageSize, MAX_SEARCH_OFFSET - offset);
      const found = await search.search({
        text,
        genreIds: req.genreIds,
        yearFrom: req.releaseYearFrom,
        yearTo: req.releaseYearTo,
        maxMaturity: cap,
        offset,
        limit,
      });
      const now = new Date();
      const end = offset + found.hits.length;
      return {
        // The index holds published titles; the availability window is checked at read time.
        results: found.hits.filter(
          (h) => isVisible(h.content, now) && allowed(h.content.maturityRating, cap),
        ),
        nextPageToken:
          found.hits.length === limit && end < Math.min(found.total, MAX_SEARCH_OFFSET)
            ? encodePageToken({ q: fingerprint, o: end })
            : "",
        totalSize: found.total,
      };
    },

    async getContentDetails(req, ctx) {
      const content = await store.get(req.contentId);
      if (content === undefined || !isVisible(content)) throw notFound(req.contentId);
      // Told apart from a missing title: the catalog is the account's, and the app can then say so kindly.
      if (!allowed(content.maturityRating, capOf(ctx, 0))) throw aboveCap();
      return { content: withPlayable(content) };
    },

    async getGenres(_req, ctx) {
      const cap = capOf(ctx, 0);
      const counts = await genreCache.get(String(cap), () => countGenres(cap));
      return {
        genres: [...GENRES]
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((g) => ({ genreId: g.id, name: g.name, titleCount: counts.get(g.id) ?? 0 })),
      };
    },

    async getTrending(req, ctx) {
      const scope = req.country === "" ? "world" : req.country;
      const ranked = await trendCache.get(scope, async () => {
        const now = new Date();
        const views = await trending.viewsSince(scope, new Date(now.getTime() - TRENDING_WINDOW_MS));
        return rankTrending(views, now, halfLifeMs);
      });
      const cap = capOf(ctx, 0);
      const items: Array<{ content: Content; score: number; rank: number }> = [];
      const now = new Date();
      for (let i = 0; i < ranked.length && items.length < req.pageSize; i += 100) {
        const slice = ranked.slice(i, i + 100);
        const contents = await store.getMany(slice.map((t) => t.contentId));
        for (const t of slice) {
          const content = contents.get(t.contentId);
          if (content === undefined || !isVisible(content, now) || !allowed(content.maturityRating, cap))
            continue;
          items.push({ content: withoutSeasons(content), score: t.score, rank: items.length + 1 });
          if (items.length === req.pageSize) break;
        }
      }
      return { items };
    },

    async createContent(req, ctx) {
      requireScope(ctx, CATALOG_WRITE);
      const input = req.content;
      if (input === undefined) throw new ConnectError("content: required", Code.InvalidArgument);
      const create = async (contentId?: string) => {
        const content = newContent(input, new Date(), contentId);
        await store.put(content);
        deps.log.info({ contentId: content.contentId, title: content.title }, "title created");
        return { content };
      };
      if (req.requestId === "") return create();
      // The id follows from the caller and its request id, so a retry finds what the first call made.
      const caller = callerOf(ctx);
      const who = `${caller.kind}:${caller.partnerId ?? caller.userId ?? caller.service ?? ""}`;
      const contentId = uuidV5(`${who}/${req.requestId}`, CREATE_REQUEST_NAMESPACE);
      return lock.run(contentId, async () => {
        const existing = await store.get(contentId);
        return existing === undefined ? create(contentId) : { content: existing };
      });
    },

    async updateContent(req, ctx) {
      requireScope(ctx, CATALOG_WRITE);
      const input = req.content;
      if (input === undefined) throw new ConnectError("content: required", Code.InvalidArgument);
      return lock.run(req.contentId, async () => {
        const previous = await load(req.contentId);
        const next = updatedContent(previous, input);
        // A published title is announced again so search picks up the new text.
        return { content: await save(next, next.publishState === PublishState.PUBLISHED) };
      });
    },

    async publishContent(req, ctx) {
      requireScope(ctx, CATALOG_WRITE);
      return lock.run(req.contentId, async () => {
        const content = await load(req.contentId);
        if (content.type === ContentType.SERIES && content.seasons.every((s) => s.episodes.length === 0)) {
          throw new ConnectError(
            "a series needs at least one episode before it is published",
            Code.FailedPrecondition,
          );
        }
        if (content.publishState === PublishState.PUBLISHED) {
          // Already published: announce again with the same msgId (a retry after a failed publish).
          return { content: await save(content, true) };
        }
        const next = create(ContentSchema, {
          ...content,
          publishState: PublishState.PUBLISHED,
          updateTime: timestampFromDate(new Date()),
        });
        return { content: await save(next, true) };
      });
    },

    async unpublishContent(req, ctx) {
      requireScope(ctx, CATALOG_WRITE);
      return lock.run(req.contentId, async () => {
        const content = await load(req.contentId);
        if (content.publishState === PublishState.DRAFT) {
          throw new ConnectError("the title was never published", Code.FailedPrecondition);
        }
        if (content.publishState === PublishState.UNPUBLISHED) return { content: await save(content, true) };
        const next = create(ContentSchema, {
          ...content,
          publishState: PublishState.UNPUBLISHED,
          updateTime: timestampFromDate(new Date()),
        });
        return { content: await save(next, true) };
      });
    },

    async attachMedia(req, ctx) {
      requireInternal(ctx);
      const media = req.media;
      if (media === undefined) throw new ConnectError("media: required", Code.InvalidArgument);
      return lock.run(req.contentId, async () => {
        const content = await load(req.contentId);
        const next = create(ContentSchema, { ...content, updateTime: timestampFromDate(new Date()) });
        if (content.type === ContentType.SERIES) {
          if (req.episodeId === "") {
            throw new ConnectError("episode_id: required for a series", Code.InvalidArgument);
          }
          const episode = next.seasons.flatMap((s) => s.episodes).find((e) => e.episodeId === req.episodeId);
          if (episode === undefined) {
            throw new ConnectError(`no episode ${req.episodeId} in title ${req.contentId}`, Code.NotFound);
          }
          episode.media = media;
        } else {
          if (req.episodeId !== "") {
            throw new ConnectError(
              "episode_id: a movie has no episodes; leave it empty",
              Code.InvalidArgument,
            );
          }
          next.media = media;
        }
        return { content: await save(next, next.publishState === PublishState.PUBLISHED) };
      });
    },
  };
}
