import { type Logger, runPeriodically } from "@marquee/kit";
import type { EventBus } from "@marquee/kit/bus";
import { publishProfileDeleted, publishUserDeleted } from "./service.js";
import type { UserStore } from "./store.js";

/**
 * Publishes user.deleted and profile.deleted for every deletion whose event
 * may not have gone out (the process died, or the bus was down, between the
 * deletion and the publish), then forgets it. Runs at start and every `intervalMs`.
 */
export function startDeletionRelay(
  store: UserStore,
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
