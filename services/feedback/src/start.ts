import {
  createLogger,
  type EventBus,
  embeddedDir,
  loadBackendsConfig,
  openEventBus,
  SERVICE_PORTS,
  type Server,
  type Subscription,
  startService,
} from "@marquee/kit";
import { FeedbackService } from "@marquee/sdk/marquee/feedback/v1/feedback_service_pb";
import { consumeErasures } from "./erasure.js";
import { busRatingEvents } from "./events.js";
import { feedbackService } from "./service.js";
import type { FeedbackStore } from "./store.js";
import { openCassandraFeedbackStore } from "./store-cassandra.js";
import { openEmbeddedFeedbackStore } from "./store-embedded.js";

/**
 * Wires the feedback service from the environment: the store (Cassandra
 * keyspace marquee_feedback, or classic-level under data/feedback), the event
 * bus, the erasure consumer, and the RPC server.
 */
export async function startFeedbackService(
  env: Record<string, string | undefined> = process.env,
): Promise<Server> {
  const backends = loadBackendsConfig(env);
  const log = createLogger("feedback", env.MARQUEE_LOG_LEVEL ?? "info");
  const opened: { close(): Promise<void> }[] = [];
  const closeAll = async () => {
    for (const resource of opened.reverse()) await resource.close();
  };
  try {
    const store: FeedbackStore =
      backends.mode === "external"
        ? await openCassandraFeedbackStore({ config: backends.cassandra, log })
        : await openEmbeddedFeedbackStore(embeddedDir(backends, "feedback"));
    opened.push(store);
    const bus: EventBus = await openEventBus(backends, "feedback", log);
    opened.push(bus);
    const erasures: Subscription = await consumeErasures(bus, store, log);
    opened.push({ close: () => erasures.stop() });
    const server = await startService(
      {
        name: "feedback",
        services: [FeedbackService],
        defaultPort: SERVICE_PORTS.feedback,
        routes: (r) => r.service(FeedbackService, feedbackService({ store, events: busRatingEvents(bus) })),
      },
      env,
    );
    return {
      ...server,
      async close() {
        await server.close();
        await closeAll();
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
