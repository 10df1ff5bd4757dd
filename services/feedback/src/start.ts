import {
  contentServiceCatalog,
  createLogger,
  createServiceClient,
  loadBackendsConfig,
  SERVICE_PORTS,
  type Server,
  serviceUrl,
  startService,
  type TitleCatalog,
} from "@marquee/kit";
import { type EventBus, openEventBus, type Subscription } from "@marquee/kit/bus";
import { embeddedDir } from "@marquee/kit/embedded";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { FeedbackService } from "@marquee/sdk/marquee/feedback/v1/feedback_service_pb";
import { startFeedbackErasure } from "./erasure.js";
import { busRatingEvents } from "./events.js";
import { feedbackService } from "./service.js";
import type { FeedbackStore } from "./store.js";
import { openCassandraFeedbackStore } from "./store-cassandra.js";
import { openEmbeddedFeedbackStore } from "./store-embedded.js";

/**
 * Wires the feedback service from the environment: the store (Cassandra
 * keyspace marquee_feedback, or classic-level under data/feedback), the event
 * bus, the erasure consumer, the content service (MARQUEE_CONTENT_URL) as the
 * catalog, and the RPC server. Tests may hand in their own catalog.
 */
export async function startFeedbackService(
  env: Record<string, string | undefined> = process.env,
  overrides: { catalog?: TitleCatalog } = {},
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
    const catalog =
      overrides.catalog ??
      contentServiceCatalog(createServiceClient(ContentService, serviceUrl("content", env)));
    const erasures: Subscription = await startFeedbackErasure(bus, store, log);
    opened.push({ close: () => erasures.stop() });
    const server = await startService(
      {
        name: "feedback",
        services: [FeedbackService],
        defaultPort: SERVICE_PORTS.feedback,
        routes: (r) =>
          r.service(FeedbackService, feedbackService({ store, events: busRatingEvents(bus), catalog })),
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
