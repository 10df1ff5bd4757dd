import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import {
  CALLER_HEADER,
  createLogger,
  createServiceClient,
  encodeCaller,
  loadBackendsConfig,
  OPEN_CATALOG,
} from "@marquee/kit";
import { openEventBus } from "@marquee/kit/bus";
import { waitFor } from "@marquee/kit/testing";
import { ProfileDeletedSchema } from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import { FeedbackService, RatingValue } from "@marquee/sdk/marquee/feedback/v1/feedback_service_pb";
import test from "ava";
import { startFeedbackService } from "../src/start.js";

test("embedded start: serves RPCs from data/feedback, erases on profile.deleted, and keeps ratings across a restart", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-feedback-start-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const env = { MARQUEE_EMBEDDED_DATA_DIR: dir, MARQUEE_FEEDBACK_PORT: "0", MARQUEE_LOG_LEVEL: "silent" };
  const [p, gone, c] = [randomUUID(), randomUUID(), randomUUID()];
  const as = (profileId: string) => ({
    headers: {
      [CALLER_HEADER]: encodeCaller({ kind: "member", userId: randomUUID(), profileId, scopes: [] }),
    },
  });

  // The content service is not part of this test: every title counts as visible.
  const start = () => startFeedbackService(env, { catalog: OPEN_CATALOG });
  let server = await start();
  let closed = false;
  t.teardown(async () => {
    if (!closed) await server.close();
  });
  let client = createServiceClient(FeedbackService, server.url);
  await client.rateContent({ profileId: p, contentId: c, value: RatingValue.THUMBS_UP }, as(p));
  await client.rateContent({ profileId: gone, contentId: c, value: RatingValue.THUMBS_DOWN }, as(gone));
  // Another service of the same process publishes on the shared embedded bus.
  const bus = await openEventBus(loadBackendsConfig(env), "user", createLogger("test", "silent"));
  await bus.publish(
    "profile.deleted",
    toBinary(ProfileDeletedSchema, create(ProfileDeletedSchema, { profileId: gone })),
    `profile-deleted-${gone}`,
  );
  await bus.close();
  await waitFor("the deleted profile's rating erased", async () => {
    const r = await client.getContentRatings({ contentId: c });
    return r.thumbsDownCount === 0n;
  });
  closed = true;
  await server.close();

  server = await start();
  closed = false;
  client = createServiceClient(FeedbackService, server.url);
  t.like(await client.getContentRatings({ contentId: c }), { thumbsUpCount: 1n, thumbsDownCount: 0n });
  const mine = await client.getUserRatings({ profileId: p, pageSize: 5 }, as(p));
  t.deepEqual(
    mine.ratings.map((r) => r.contentId),
    [c],
  );
});
