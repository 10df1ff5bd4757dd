import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { EventBus, Subscription } from "@marquee/kit/bus";
import {
  SubscriptionChangedSchema,
  UserDeletedSchema,
} from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import type { Logger } from "pino";
import type { Billing, SubscriptionEvents } from "./billing.js";

const SUBSCRIPTION_CHANGED = "subscription.changed";
/** The durable consumer that erases a deleted member's billing data. */
const ERASURE_CONSUMER = "account-erasure";

/** Puts subscription.changed on the bus; the event id names the subscription and its version. */
export function busSubscriptionEvents(bus: EventBus): SubscriptionEvents {
  return {
    async changed(sub, entitlement) {
      const event = create(SubscriptionChangedSchema, {
        userId: sub.userId,
        active: entitlement.active,
        tier: entitlement.tier,
        changeTime: timestampFromMs(sub.updateTime),
      });
      await bus.publish(
        SUBSCRIPTION_CHANGED,
        toBinary(SubscriptionChangedSchema, event),
        `${SUBSCRIPTION_CHANGED}:${sub.subscriptionId}:${sub.version}`,
      );
    },
  };
}

/**
 * Consumes user.deleted: erases the member's subscription, invoices and
 * idempotency records. Erasing twice is harmless, so redelivery is too.
 */
export function consumeUserDeleted(bus: EventBus, billing: Billing, log: Logger): Promise<Subscription> {
  return bus.consume({
    stream: "DOMAIN",
    durable: ERASURE_CONSUMER,
    filter: "user.deleted",
    handler: async (e) => {
      const { userId } = fromBinary(UserDeletedSchema, e.data);
      if (userId === "") {
        log.warn({ msgId: e.msgId }, "user.deleted without a user id; skipped");
        return;
      }
      await billing.erase(userId);
      log.info({ userId }, "erased the member's billing data");
    },
  });
}
