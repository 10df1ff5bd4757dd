import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Client } from "@connectrpc/connect";
import {
  CALLER_HEADER,
  type Caller,
  createLogger,
  createServiceClient,
  encodeCaller,
  serve,
  type TitleCatalog,
} from "@marquee/kit";
import { FeedbackService } from "@marquee/sdk/marquee/feedback/v1/feedback_service_pb";
import type { ExecutionContext } from "ava";
import type { RatingEvents } from "../src/events.js";
import { feedbackService } from "../src/service.js";
import type { FeedbackStore, RatingChange } from "../src/store.js";
import { openEmbeddedFeedbackStore } from "../src/store-embedded.js";

/** Records published rating changes; `failNext` makes the next publish fail as a broken bus would. */
export class RecordingEvents implements RatingEvents {
  readonly changes: RatingChange[] = [];
  failNext = 0;

  async published(change: RatingChange): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("bus unavailable");
    }
    this.changes.push(change);
  }
}

export interface Harness {
  store: FeedbackStore;
  /** Titles the catalog answers NotFound for; every other title is visible. */
  hiddenTitles: Set<string>;
  events: RecordingEvents;
  client: Client<typeof FeedbackService>;
  /** Call options stating the caller, as the gateway would. */
  as(caller: Caller): { headers: Record<string, string> };
  member(profileId: string): { headers: Record<string, string> };
}

/** The feedback service on a real server (port 0, every kit interceptor) over an embedded store. */
export async function startHarness(t: ExecutionContext): Promise<Harness> {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-feedback-svc-"));
  const store = await openEmbeddedFeedbackStore(dir);
  const events = new RecordingEvents();
  const hiddenTitles = new Set<string>();
  const catalog: TitleCatalog = { visible: async (contentId) => !hiddenTitles.has(contentId) };
  const server = await serve({
    name: "feedback",
    services: [FeedbackService],
    routes: (r) => r.service(FeedbackService, feedbackService({ store, events, catalog })),
    host: "127.0.0.1",
    port: 0,
    log: createLogger("test", "silent"),
  });
  t.teardown(async () => {
    await server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const as = (caller: Caller) => ({ headers: { [CALLER_HEADER]: encodeCaller(caller) } });
  return {
    store,
    hiddenTitles,
    events,
    client: createServiceClient(FeedbackService, server.url),
    as,
    member: (profileId) =>
      as({ kind: "member", userId: "8d0f7a52-0000-4000-8000-00000000000a", profileId, scopes: [] }),
  };
}
