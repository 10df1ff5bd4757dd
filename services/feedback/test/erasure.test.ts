import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import { createLogger } from "@marquee/kit";
import { EmbeddedBus } from "@marquee/kit/embedded";
import { waitFor } from "@marquee/kit/testing";
import { ProfileDeletedSchema, UserDeletedSchema } from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import test from "ava";
import { startFeedbackErasure } from "../src/erasure.js";
import { ZERO_COUNTS } from "../src/ratings.js";
import { openEmbeddedFeedbackStore } from "../src/store-embedded.js";

const log = createLogger("test", "silent");

test("user.deleted and profile.deleted erase ratings (counts adjusted) and feedback; redelivery is harmless", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-feedback-erasure-"));
  const store = await openEmbeddedFeedbackStore(path.join(dir, "store"));
  const bus = await EmbeddedBus.open(path.join(dir, "bus"), log);
  const sub = await startFeedbackErasure(bus, store, log);
  t.teardown(async () => {
    await sub.stop();
    await bus.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const [u1p1, u1p2, lone, kept] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const c = randomUUID();
  const now = new Date();
  for (const [p, v] of [
    [u1p1, 3],
    [u1p2, 1],
    [lone, 2],
    [kept, 2],
  ] as const) {
    await store.setRating(p, c, v, now);
    await store.addFeedback({
      feedbackId: randomUUID(),
      profileId: p,
      contentId: c,
      category: 1,
      text: "t",
      createTime: now,
    });
  }

  const userDeleted = toBinary(
    UserDeletedSchema,
    create(UserDeletedSchema, { userId: randomUUID(), profileIds: [u1p1, u1p2] }),
  );
  await bus.publish("user.deleted", userDeleted, "user-deleted-1");
  // Feedback goes last in an erasure, so once the second profile's is gone both profiles are done.
  await waitFor("the member's profiles erased", async () => (await store.listFeedback(u1p2)).length === 0);
  t.deepEqual(await store.contentRatings(c), { thumbsDown: 0, thumbsUp: 2, doubleThumbsUp: 0 });
  t.deepEqual(await store.listFeedback(u1p1), []);
  t.deepEqual(await store.listFeedback(u1p2), []);

  const profileDeleted = toBinary(
    ProfileDeletedSchema,
    create(ProfileDeletedSchema, { userId: randomUUID(), profileId: lone }),
  );
  await bus.publish("profile.deleted", profileDeleted, "profile-deleted-1");
  // The same erasure delivered again (a new msgId, so the bus does not drop it), then a marker event.
  await bus.publish("user.deleted", userDeleted, "user-deleted-1-again");
  const marker = randomUUID();
  await store.setRating(marker, randomUUID(), 1, now);
  await bus.publish(
    "profile.deleted",
    toBinary(ProfileDeletedSchema, create(ProfileDeletedSchema, { profileId: marker })),
    "marker",
  );
  await waitFor("every event handled", async () => (await store.listRatings(marker, 1)).ratings.length === 0);
  t.deepEqual(await store.contentRatings(c), { ...ZERO_COUNTS, thumbsUp: 1 });
  t.deepEqual(await store.recountContentRatings(c), await store.contentRatings(c));
  t.like(await store.getRating(kept, c), { value: 2 });
  t.is((await store.listFeedback(kept)).length, 1);
  t.deepEqual(await store.listFeedback(lone), []);
});
