import type { Logger } from "@marquee/kit";
import { consumeErasures, type EventBus, type Subscription } from "@marquee/kit/bus";
import type { FeedbackStore } from "./store.js";

/** The durable consumer that erases deleted members' and profiles' ratings and feedback. */
const ERASURE_CONSUMER = "feedback-erasure";

/**
 * Consumes user.deleted and profile.deleted: every rating (with its title
 * counts adjusted) and all feedback of those profiles are erased before the
 * event is acknowledged. Erasing again finds nothing, so redelivery is harmless.
 */
export function startFeedbackErasure(
  bus: EventBus,
  store: FeedbackStore,
  log: Logger,
): Promise<Subscription> {
  return consumeErasures(bus, {
    durable: ERASURE_CONSUMER,
    log,
    erase: async ({ profileIds, event }) => {
      for (const profileId of profileIds) {
        const erased = await store.eraseProfile(profileId.toLowerCase());
        log.info(
          { subject: event.subject, msgId: event.msgId, profileId, ...erased },
          "erased profile feedback",
        );
      }
    },
  });
}
