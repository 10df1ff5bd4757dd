import { fromBinary } from "@bufbuild/protobuf";
import type { Logger } from "@marquee/kit";
import type { BusEvent, EventBus, Subscription } from "@marquee/kit/bus";
import { ProfileDeletedSchema, UserDeletedSchema } from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import type { FeedbackStore } from "./store.js";

/** The durable consumer that erases deleted members' and profiles' ratings and feedback. */
const ERASURE_CONSUMER = "feedback-erasure";

/** The profiles an event says are gone (none for other subjects). */
function erasedProfiles(event: Pick<BusEvent, "subject" | "data">): string[] {
  switch (event.subject) {
    case "user.deleted":
      return fromBinary(UserDeletedSchema, event.data).profileIds;
    case "profile.deleted":
      return [fromBinary(ProfileDeletedSchema, event.data).profileId];
    default:
      return [];
  }
}

/**
 * Consumes user.deleted and profile.deleted: every rating (with its title
 * counts adjusted) and all feedback of those profiles are erased before the
 * event is acknowledged. Erasing again finds nothing, so redelivery is harmless.
 */
export function consumeErasures(bus: EventBus, store: FeedbackStore, log: Logger): Promise<Subscription> {
  return bus.consume({
    stream: "DOMAIN",
    durable: ERASURE_CONSUMER,
    filter: "*.deleted",
    handler: async (event) => {
      for (const profileId of erasedProfiles(event)) {
        const erased = await store.eraseProfile(profileId.toLowerCase());
        log.info(
          { subject: event.subject, msgId: event.msgId, profileId, ...erased },
          "erased profile feedback",
        );
      }
    },
  });
}
