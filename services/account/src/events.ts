import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { consumeErasures, EVENTS, type EventBus, publishEvent, type Subscription } from "@marquee/kit/bus";
import type { Logger } from "pino";
import type { Billing, SubscriptionEvents } from "./billing.js";

/** The durable consumer that erases a deleted member's billing data. */
const ERASURE_CONSUMER = "account-erasure";

/** Puts subscription.changed on the bus; the event id names the subscription and its version. */
export function busSubscriptionEvents(bus: EventBus): SubscriptionEvents {
  return {
    async changed(sub, entitlement) {
      await publishEvent(
        bus,
        EVENTS.subscriptionChanged,
        {
          userId: sub.userId,
          active: entitlement.active,
          tier: entitlement.tier,
          changeTime: timestampFromMs(sub.updateTime),
        },
        `subscription.changed:${sub.subscriptionId}:${sub.version}`,
      );
    },
  };
}

/**
 * Consumes user.deleted: erases the member's subscription, invoices and
 * idempotency records. Erasing twice is harmless, so redelivery is too.
 */
export function consumeUserDeleted(bus: EventBus, billing: Billing, log: Logger): Promise<Subscription> {
  return consumeErasures(bus, {
    durable: ERASURE_CONSUMER,
    accountsOnly: true,
    log,
    erase: async ({ userId, event }) => {
      if (userId === "") {
        log.warn({ msgId: event.msgId }, "user.deleted without a user id; skipped");
        return;
      }
      await billing.erase(userId);
    },
  });
}
