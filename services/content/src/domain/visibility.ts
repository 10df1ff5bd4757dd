import { timestampDate } from "@bufbuild/protobuf/wkt";
import { type Content, PublishState } from "@marquee/sdk/marquee/content/v1/content_pb";

/** Members see a title when it is published and inside its availability window. */
export function isVisible(content: Content, now: Date = new Date()): boolean {
  if (content.publishState !== PublishState.PUBLISHED) return false;
  const window = content.availability;
  if (window?.startTime && timestampDate(window.startTime) > now) return false;
  if (window?.endTime && timestampDate(window.endTime) < now) return false;
  return true;
}

/** Published, whatever the window: such a title stays in the browse and search indexes. */
export function isPublished(content: Content): boolean {
  return content.publishState === PublishState.PUBLISHED;
}

/** The release year, or 0 when the date is unknown. */
export function releaseYear(content: { releaseDate: string }): number {
  return Number(content.releaseDate.slice(0, 4)) || 0;
}
