import type { Logger } from "pino";
import { consumeEvents, EVENTS } from "./catalog.js";
import type { BusEvent, EventBus, Subscription } from "./event-bus.js";

/** What one deletion event asks a service to erase. */
export interface Erasure {
  userId: string;
  /** The profiles gone: all of the account's on user.deleted, one on profile.deleted. */
  profileIds: string[];
  /** True when the whole account is gone (user.deleted). */
  wholeAccount: boolean;
  event: BusEvent;
}

export interface ErasureConsumerOptions {
  /** The service's durable consumer name, e.g. "feedback-erasure". */
  durable: string;
  /** Erases what the event names; must be idempotent (events may come again). Throw to retry later. */
  erase: (erasure: Erasure) => Promise<void>;
  /** Only whole-account deletions (a service that keeps nothing per profile). */
  accountsOnly?: boolean;
  log: Logger;
}

/**
 * The one way a service erases deleted members: a durable consumer of
 * user.deleted (and profile.deleted unless `accountsOnly`) that hands each
 * deletion to `erase` and acknowledges it only once `erase` resolves.
 */
export function consumeErasures(
  bus: Pick<EventBus, "consume">,
  o: ErasureConsumerOptions,
): Promise<Subscription> {
  const kinds = o.accountsOnly
    ? ([EVENTS.userDeleted] as const)
    : ([EVENTS.userDeleted, EVENTS.profileDeleted] as const);
  return consumeEvents(bus, {
    durable: o.durable,
    kinds,
    log: o.log,
    handler: async (e) => {
      const erasure: Erasure =
        e.kind === "userDeleted"
          ? { userId: e.message.userId, profileIds: e.message.profileIds, wholeAccount: true, event: e.event }
          : {
              userId: e.message.userId,
              profileIds: [e.message.profileId],
              wholeAccount: false,
              event: e.event,
            };
      await o.erase(erasure);
      o.log.info(
        {
          subject: e.event.subject,
          msgId: e.event.msgId,
          userId: erasure.userId,
          profiles: erasure.profileIds.length,
        },
        "erased",
      );
    },
  });
}
