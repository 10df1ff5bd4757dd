import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate, timestampMs } from "@bufbuild/protobuf/wkt";
import type { EventBus } from "@marquee/kit";
import type { Content } from "@marquee/sdk/marquee/content/v1/content_pb";
import { ContentVisibilityChangedSchema } from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import { isPublished } from "./domain/visibility.js";

export const CONTENT_PUBLISHED = "content.published";
export const CONTENT_UNPUBLISHED = "content.unpublished";

/**
 * Announces a title's visibility as it is now stored. The msgId is derived
 * from the title's id and update time, so a retried call re-publishes the
 * same event and the stream drops the copy.
 */
export async function publishVisibility(bus: EventBus, content: Content): Promise<void> {
  const published = isPublished(content);
  const subject = published ? CONTENT_PUBLISHED : CONTENT_UNPUBLISHED;
  const changeTime = content.updateTime ?? timestampFromDate(new Date());
  const event = create(ContentVisibilityChangedSchema, {
    contentId: content.contentId,
    published,
    maturityRating: content.maturityRating,
    changeTime,
  });
  await bus.publish(
    subject,
    toBinary(ContentVisibilityChangedSchema, event),
    `${subject}:${content.contentId}:${timestampMs(changeTime)}`,
  );
}
