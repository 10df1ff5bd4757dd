import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { EventBus } from "@marquee/kit/bus";
import { RatingSubmittedSchema } from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import type { RatingChange } from "./store.js";

/** Where rating changes are announced. */
export interface RatingEvents {
  published(change: RatingChange): Promise<void>;
}

const RATING_SUBMITTED = "rating.submitted";

/**
 * The msgId of a rating version: the same version always gets the same id,
 * so a repeated publish (a retried call) is dropped by the bus's dedupe window.
 */
function ratingMsgId(change: RatingChange): string {
  return `rating:${change.profileId}:${change.contentId}:${change.seq}`;
}

function encodeRatingSubmitted(change: RatingChange): Uint8Array {
  return toBinary(
    RatingSubmittedSchema,
    create(RatingSubmittedSchema, {
      profileId: change.profileId,
      contentId: change.contentId,
      value: change.value,
      previousValue: change.previousValue,
      rateTime: timestampFromDate(change.updateTime),
    }),
  );
}

/** Publishes marquee.events.v1.RatingSubmitted on "rating.submitted" (removal: value 0). */
export function busRatingEvents(bus: EventBus): RatingEvents {
  return {
    published: (change) => bus.publish(RATING_SUBMITTED, encodeRatingSubmitted(change), ratingMsgId(change)),
  };
}
