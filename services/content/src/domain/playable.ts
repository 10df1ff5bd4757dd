import { create } from "@bufbuild/protobuf";
import { type Content, ContentSchema, ContentType } from "@marquee/sdk/marquee/content/v1/content_pb";

/** A movie with media, or a series with at least one episode with media. */
function isPlayable(content: Content): boolean {
  if (content.type !== ContentType.SERIES) return (content.media?.assetId ?? "") !== "";
  return content.seasons.some((s) => s.episodes.some((e) => (e.media?.assetId ?? "") !== ""));
}

/**
 * The title as read by members, `playable` set from its media. Worked out
 * before seasons are dropped from a listing: a series' media is per episode.
 */
export function withPlayable(content: Content, { seasons = true } = {}): Content {
  return create(ContentSchema, {
    ...content,
    seasons: seasons ? content.seasons : [],
    playable: isPlayable(content),
  });
}
