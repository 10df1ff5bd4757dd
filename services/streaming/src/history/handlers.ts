import { durationFromMs, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { decodePageToken, encodePageToken, requireProfile } from "@marquee/kit";
import type { StreamingService } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import { z } from "zod";
import type { HistoryStore } from "./history-store.js";
import { listViewingHistory } from "./listing.js";

const historyToken = z.object({ w: z.number().int().nonnegative(), c: z.string().uuid() });

export interface HistoryDeps {
  store: HistoryStore;
  settings: {
    /** Month buckets of history read and erased. */
    historyMonths: number;
  };
  now: () => number;
}

type HistoryHandlers = Pick<
  ServiceImpl<typeof StreamingService>,
  "getContinueWatching" | "getPlaybackPosition" | "listViewingHistory" | "removeFromViewingHistory"
>;

/** The history handlers: continue watching, resume positions and the viewing history. */
export function historyHandlers(deps: HistoryDeps): HistoryHandlers {
  const { store, settings, now } = deps;
  return {
    async getContinueWatching(req, ctx) {
      requireProfile(ctx, req.profileId);
      const items = (await store.listProgress(req.profileId))
        .filter((p) => !p.completed)
        .sort((a, b) => b.updateTime.getTime() - a.updateTime.getTime())
        .slice(0, req.pageSize);
      return {
        items: items.map((p) => ({
          contentId: p.contentId,
          episodeId: p.episodeId,
          position: durationFromMs(p.positionMs),
          duration: durationFromMs(p.durationMs),
          completed: p.completed,
          updateTime: timestampFromDate(p.updateTime),
          deviceId: p.deviceId,
        })),
      };
    },

    async getPlaybackPosition(req, ctx) {
      requireProfile(ctx, req.profileId);
      const p = await store.getProgress(req.profileId, req.contentId);
      if (p === undefined) return {};
      return {
        progress: {
          contentId: p.contentId,
          episodeId: p.episodeId,
          position: durationFromMs(p.completed ? 0 : p.positionMs),
          duration: durationFromMs(p.durationMs),
          completed: p.completed,
          updateTime: timestampFromDate(p.updateTime),
          deviceId: p.deviceId,
        },
      };
    },

    async listViewingHistory(req, ctx) {
      requireProfile(ctx, req.profileId);
      const token = decodePageToken(req.pageToken, historyToken);
      const cursor = token === undefined ? undefined : { watchedAtMs: token.w, contentId: token.c };
      const page = await listViewingHistory(
        store,
        req.profileId,
        req.pageSize,
        cursor,
        now(),
        settings.historyMonths,
      );
      return {
        entries: page.entries.map((e) => ({
          contentId: e.contentId,
          episodeId: e.episodeId,
          watchTime: timestampFromDate(e.watchedAt),
          position: durationFromMs(e.positionMs),
          completed: e.completed,
          summary: e.summary,
        })),
        nextPageToken:
          page.next === undefined
            ? ""
            : encodePageToken({ w: page.next.watchedAtMs, c: page.next.contentId }),
      };
    },

    async removeFromViewingHistory(req, ctx) {
      requireProfile(ctx, req.profileId);
      await store.removeTitle(req.profileId, req.contentId, new Date(now()), settings.historyMonths);
      return {};
    },
  };
}
