import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { decodePageToken, encodePageToken, requireProfile, type TitleCatalog } from "@marquee/kit";
import { type FeedbackService, RatingSchema } from "@marquee/sdk/marquee/feedback/v1/feedback_service_pb";
import { z } from "zod";
import type { RatingEvents } from "./events.js";
import { type RatingValue, score } from "./ratings.js";
import { type FeedbackStore, RatingContentionError, type StoredRating } from "./store.js";

export interface FeedbackServiceDeps {
  store: FeedbackStore;
  events: RatingEvents;
  /** Only titles the caller can see may be rated. */
  catalog: TitleCatalog;
  now?: () => Date;
  newId?: () => string;
}

const pageTokenSchema = z.object({ t: z.number().int().nonnegative(), c: z.string().min(1) });

/** Ids are UUIDs; one spelling (lower case) keeps one profile's or title's rows together. */
const id = (s: string) => s.toLowerCase();

const toRating = (r: StoredRating) =>
  create(RatingSchema, {
    profileId: r.profileId,
    contentId: r.contentId,
    value: r.value,
    updateTime: timestampFromDate(r.updateTime),
  });

/**
 * The FeedbackService handlers. Requests arrive validated (protovalidate
 * annotations in feedback_service.proto); profile-scoped RPCs act only on the
 * caller's selected profile; GetContentRatings is public (aggregate counts,
 * no personal data).
 */
export function feedbackService(deps: FeedbackServiceDeps): ServiceImpl<typeof FeedbackService> {
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? randomUUID;

  /** Stores the change, then announces it; a repeated call announces the stored version again (same msgId). */
  async function rate(profileId: string, contentId: string, value: RatingValue) {
    let change: Awaited<ReturnType<FeedbackStore["setRating"]>>;
    try {
      change = await deps.store.setRating(profileId, contentId, value, now());
    } catch (err) {
      if (err instanceof RatingContentionError) throw new ConnectError(err.message, Code.Aborted);
      throw err;
    }
    if (change !== undefined) await deps.events.published(change);
    return change;
  }

  return {
    async rateContent(req, ctx) {
      const profileId = id(req.profileId);
      requireProfile(ctx, profileId);
      const contentId = id(req.contentId);
      if (!(await deps.catalog.visible(contentId, ctx))) {
        throw new ConnectError(`title ${contentId} not found`, Code.NotFound);
      }
      const change = await rate(profileId, contentId, req.value as RatingValue);
      if (change === undefined || change.value === 0) throw new Error("a rating was set but not stored");
      return { rating: toRating({ ...change, value: change.value }) };
    },

    async removeRating(req, ctx) {
      const profileId = id(req.profileId);
      requireProfile(ctx, profileId);
      await rate(profileId, id(req.contentId), 0);
      return {};
    },

    async submitFeedback(req, ctx) {
      const profileId = id(req.profileId);
      requireProfile(ctx, profileId);
      const feedbackId = newId();
      await deps.store.addFeedback({
        feedbackId,
        profileId,
        contentId: id(req.contentId),
        category: req.category,
        text: req.text,
        createTime: now(),
      });
      return { feedbackId };
    },

    async getContentRatings(req) {
      const contentId = id(req.contentId);
      const counts = await deps.store.contentRatings(contentId);
      return {
        contentId,
        thumbsDownCount: BigInt(counts.thumbsDown),
        thumbsUpCount: BigInt(counts.thumbsUp),
        doubleThumbsUpCount: BigInt(counts.doubleThumbsUp),
        score: score(counts),
      };
    },

    async getUserRatings(req, ctx) {
      const profileId = id(req.profileId);
      requireProfile(ctx, profileId);
      const position = decodePageToken(req.pageToken, pageTokenSchema);
      const page = await deps.store.listRatings(
        profileId,
        req.pageSize,
        position === undefined ? undefined : { updateTime: position.t, contentId: position.c },
      );
      return {
        ratings: page.ratings.map(toRating),
        nextPageToken:
          page.next === undefined ? "" : encodePageToken({ t: page.next.updateTime, c: page.next.contentId }),
      };
    },
  };
}
