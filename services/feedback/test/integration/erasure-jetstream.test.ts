import { randomBytes, randomUUID } from "node:crypto";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { createLogger, loadBackendsConfig } from "@marquee/kit";
import type { EventBus } from "@marquee/kit/bus";
import { createJetStreamBus } from "@marquee/kit/bus/jetstream";
import { waitFor } from "@marquee/kit/testing";
import {
  ProfileDeletedSchema,
  RatingSubmittedSchema,
  UserDeletedSchema,
} from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import test from "ava";
import { Client } from "cassandra-driver";
import { startFeedbackErasure } from "../../src/erasure.js";
import { busRatingEvents } from "../../src/events.js";
import type { FeedbackStore } from "../../src/store.js";
import { openCassandraFeedbackStore } from "../../src/store-cassandra.js";

const backends = loadBackendsConfig();
const log = createLogger("test", "silent");
const keyspace = `marquee_test_feedback_${randomBytes(4).toString("hex")}`;
// A namespace keeps this test's streams apart from other tests and from a running platform.
const namespace = `t${randomBytes(4).toString("hex")}`;
let store: FeedbackStore | undefined;
let bus: EventBus | undefined;

test.after.always(async () => {
  await bus?.close();
  await store?.close();
  const admin = new Client({
    contactPoints: backends.cassandra.contactPoints,
    localDataCenter: backends.cassandra.localDataCenter,
  });
  await admin.connect();
  await admin.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await admin.shutdown();
});

test("on JetStream and Cassandra: rating.submitted is published once per version, and deletions erase", async (t) => {
  store = await openCassandraFeedbackStore({ config: backends.cassandra, keyspace, log });
  bus = await createJetStreamBus({ config: backends.nats, name: "feedback-test", log, namespace });
  const events = busRatingEvents(bus);
  const [p1, p2, kept, c] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const now = new Date();

  const ratings: { msgId: string; value: number; previous: number }[] = [];
  const ratingSub = await bus.consume({
    stream: "DOMAIN",
    durable: "test-ratings",
    filter: "rating.submitted",
    handler: async (e) => {
      const m = fromBinary(RatingSubmittedSchema, e.data);
      if (m.contentId === c) ratings.push({ msgId: e.msgId, value: m.value, previous: m.previousValue });
    },
  });
  t.teardown(() => ratingSub.stop());
  for (const [p, v] of [
    [p1, 3],
    [p2, 1],
    [kept, 2],
  ] as const) {
    const change = await store.setRating(p, c, v, now);
    if (change) await events.published(change);
  }
  // A repeated call publishes the stored version again: the stream drops it as a duplicate.
  const repeat = await store.setRating(p1, c, 3, now);
  if (repeat) await events.published(repeat);
  await waitFor("three rating events", () => ratings.length >= 3);

  const erasures = await startFeedbackErasure(bus, store, log);
  t.teardown(() => erasures.stop());
  await bus.publish(
    "user.deleted",
    toBinary(UserDeletedSchema, create(UserDeletedSchema, { userId: randomUUID(), profileIds: [p1] })),
    `user-deleted-${p1}`,
  );
  await bus.publish(
    "profile.deleted",
    toBinary(ProfileDeletedSchema, create(ProfileDeletedSchema, { userId: randomUUID(), profileId: p2 })),
    `profile-deleted-${p2}`,
  );
  const s = store;
  await waitFor(
    "both profiles erased",
    async () => (await s.getRating(p1, c)) === undefined && (await s.getRating(p2, c)) === undefined,
    30_000,
  );
  t.deepEqual(await store.contentRatings(c), { thumbsDown: 0, thumbsUp: 1, doubleThumbsUp: 0 });
  t.deepEqual(await store.recountContentRatings(c), await store.contentRatings(c));
  t.deepEqual(ratings.map((r) => [r.value, r.previous]).sort(), [
    [1, 0],
    [2, 0],
    [3, 0],
  ]);
  t.is(new Set(ratings.map((r) => r.msgId)).size, 3);
});
