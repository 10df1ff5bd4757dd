import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { EVENTS, type EventBus, publishEvent } from "@marquee/kit/bus";
import type { RatingChange } from "./store.js";

/** Where rating changes are announced. */
export interface RatingEvents {
  published(change: RatingChange): Promise<void>;
}

/**
 * The msgId of a rating version: the same version always gets the same id,
 * so a repeated publish (a retried call) is dropped by the bus's dedupe window.
 */
function ratingMsgId(change: RatingChange): string {
  return `rating:${change.profileId}:${change.contentId}:${change.seq}`;
}

/** Publishes marquee.events.v1.RatingSubmitted on "rating.submitted" (removal: value 0). */
export function busRatingEvents(bus: EventBus): RatingEvents {
  return {
    published: (change) =>
      publishEvent(
        bus,
        EVENTS.ratingSubmitted,
        {
          profileId: change.profileId,
          contentId: change.contentId,
          value: change.value,
          previousValue: change.previousValue,
          rateTime: timestampFromDate(change.updateTime),
        },
        ratingMsgId(change),
      ),
  };
}
