import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { requireMember, requireProfile } from "@marquee/kit";
import {
  RecommendationRowSchema,
  type RecommendationService,
  RecommendedItemSchema,
  RowKind,
} from "@marquee/sdk/marquee/recommendation/v1/recommendation_service_pb";
import { buildRows, type RowKind as ModelRowKind, similarTo } from "./model/rows.js";
import type { TasteModel } from "./model/taste-model.js";

const KINDS: Record<ModelRowKind, RowKind> = {
  "top-picks": RowKind.TOP_PICKS,
  "because-you-watched": RowKind.BECAUSE_YOU_WATCHED,
  "trending-in-genre": RowKind.TRENDING_IN_GENRE,
  popular: RowKind.POPULAR,
};

export interface RecommendationDeps {
  /** The live model (it is swapped by rebuilds, so it is asked for on every call). */
  model: () => TasteModel;
  /**
   * Learns a title the model has not heard of from the catalog, if the catalog
   * shows it: a title just published may be asked about before its event arrives.
   */
  learnTitle?: (contentId: string) => Promise<void>;
  now?: () => number;
}

/**
 * The RecommendationService handlers. A member reaches only the profile it
 * selected, and its maturity cap (from the caller) always applies; internal
 * callers reach any profile.
 */
export function recommendationService(deps: RecommendationDeps): ServiceImpl<typeof RecommendationService> {
  const now = deps.now ?? Date.now;
  const items = (list: { contentId: string; score: number }[]) =>
    list.map((i) => create(RecommendedItemSchema, { contentId: i.contentId, score: i.score }));
  return {
    getRecommendationsForUser(req, ctx) {
      const caller = requireProfile(ctx, req.profileId);
      const rows = buildRows(deps.model(), {
        profileId: req.profileId,
        maturityCap: caller.maturityCap ?? 0,
        maxRows: req.maxRows,
        itemsPerRow: req.itemsPerRow,
        now: now(),
      });
      return {
        rows: rows.map((r) =>
          create(RecommendationRowSchema, {
            kind: KINDS[r.kind],
            title: r.title,
            evidenceContentId: r.evidenceContentId ?? "",
            evidenceGenreId: r.evidenceGenreId ?? "",
            items: items(r.items),
          }),
        ),
      };
    },

    async getSimilarContent(req, ctx) {
      const caller = req.profileId === "" ? requireMember(ctx) : requireProfile(ctx, req.profileId);
      let model = deps.model();
      let item = model.indexOf(req.contentId);
      if (item === undefined && deps.learnTitle !== undefined) {
        await deps.learnTitle(req.contentId);
        model = deps.model();
        item = model.indexOf(req.contentId);
      }
      const title = item === undefined ? undefined : model.title(item);
      if (item === undefined || title === undefined || !title.published) {
        throw new ConnectError(`content ${req.contentId} is not in the catalog`, Code.NotFound);
      }
      return {
        items: items(
          similarTo(model, item, {
            // Without profile_id, a member's selected profile still filters out what it completed.
            profileId: req.profileId || (caller.kind === "member" ? (caller.profileId ?? "") : ""),
            maturityCap: caller.maturityCap ?? 0,
            now: now(),
            pageSize: req.pageSize,
          }),
        ),
      };
    },
  };
}
