import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type Logger, runPeriodically } from "@marquee/kit";
import { EVENTS, type EventBus, publishEvent } from "@marquee/kit/bus";
import type { MemberStore, PendingDeletion, PendingProfileDeletion, ProfileStore } from "./store.js";

/** Publishes user.deleted for a pending deletion; the msgId is the same on every retry. */
export function publishUserDeleted(bus: EventBus, pending: PendingDeletion): Promise<void> {
  return publishEvent(
    bus,
    EVENTS.userDeleted,
    {
      userId: pending.userId,
      profileIds: pending.profileIds,
      deleteTime: timestampFromDate(pending.deleteTime),
    },
    `user.deleted:${pending.userId}`,
  );
}

/** Publishes profile.deleted for a pending profile deletion; the msgId is the same on every retry. */
export function publishProfileDeleted(bus: EventBus, pending: PendingProfileDeletion): Promise<void> {
  return publishEvent(
    bus,
    EVENTS.profileDeleted,
    {
      userId: pending.userId,
      profileId: pending.profileId,
      deleteTime: timestampFromDate(pending.deleteTime),
    },
    `profile.deleted:${pending.profileId}`,
  );
}

/**
 * Publishes user.deleted and profile.deleted for every deletion whose event
 * may not have gone out (the process died, or the bus was down, between the
 * deletion and the publish), then forgets it. Runs at start and every `intervalMs`.
 */
export function startDeletionRelay(
  store: MemberStore & ProfileStore,
  bus: EventBus,
  log: Logger,
  intervalMs: number,
): { stop(): Promise<void> } {
  return runPeriodically(
    async () => {
      for (const pending of await store.pendingDeletions()) {
        await publishUserDeleted(bus, pending);
        await store.clearPendingDeletion(pending.userId);
        log.info({ userId: pending.userId }, "relayed user.deleted");
      }
      for (const pending of await store.pendingProfileDeletions()) {
        await publishProfileDeleted(bus, pending);
        await store.clearPendingProfileDeletion(pending.profileId);
        log.info({ profileId: pending.profileId }, "relayed profile.deleted");
      }
    },
    intervalMs,
    log,
    "deletion relay",
  );
}
