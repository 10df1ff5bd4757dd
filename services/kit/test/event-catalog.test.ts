import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { createLogger } from "@marquee/kit";
import {
  consumeErasures,
  consumeEvents,
  type Erasure,
  EVENTS,
  type EventBus,
  encodeEvent,
  publishEvent,
  readingsOf,
} from "@marquee/kit/bus";
import { EmbeddedBus } from "@marquee/kit/embedded";
import { waitFor } from "@marquee/kit/testing";
import {
  PlaybackHeartbeatSchema,
  PlaybackReadingSchema,
  PlaybackReportSchema,
} from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import test from "ava";

const log = createLogger("test", "silent");
const dirs: string[] = [];
test.after.always(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function openBus(): Promise<EventBus> {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-catalog-"));
  dirs.push(dir);
  return EmbeddedBus.open(dir, log);
}

test("every kind of the catalog names a subject its stream holds, and keyed kinds refuse keys that would change the subject", (t) => {
  for (const kind of Object.values(EVENTS)) t.is(typeof kind.subject("k"), "string", kind.name);
  t.is(EVENTS.playbackReport.subject("p1"), "playback.heartbeat.p1");
  for (const bad of ["", "a.b", "*", ">", "a b"]) t.throws(() => EVENTS.playbackReport.subject(bad));
  t.is(EVENTS.userDeleted.subject(), "user.deleted");
});

test("consumeEvents hands each kind its decoded message, with the kind's name to tell them apart", async (t) => {
  const bus = await openBus();
  const seen: string[] = [];
  const sub = await consumeEvents(bus, {
    kinds: [EVENTS.contentPublished, EVENTS.contentUnpublished],
    durable: "t-content",
    log,
    handler: async (e) => {
      seen.push(`${e.kind}:${e.message.contentId}:${e.message.published}`);
    },
  });
  await publishEvent(bus, EVENTS.contentPublished, { contentId: "c1", published: true }, "m1");
  await publishEvent(bus, EVENTS.contentUnpublished, { contentId: "c2" }, "m2");
  await publishEvent(bus, EVENTS.ratingSubmitted, { contentId: "other stream subject" }, "m3");
  await waitFor("both content events", () => seen.length === 2);
  t.deepEqual(seen, ["contentPublished:c1:true", "contentUnpublished:c2:false"]);
  await sub.stop();
  await bus.close();
});

test("an event that does not decode is dropped, and the ones after it still arrive", async (t) => {
  const bus = await openBus();
  const seen: string[] = [];
  const sub = await consumeEvents(bus, {
    kinds: [EVENTS.ratingSubmitted],
    durable: "t-ratings",
    log,
    handler: async (e) => {
      seen.push(e.message.contentId);
    },
  });
  await bus.publish(EVENTS.ratingSubmitted.subject(), new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]), "bad");
  await publishEvent(bus, EVENTS.ratingSubmitted, { contentId: "after" }, "good");
  await waitFor("the good rating", () => seen.length === 1);
  t.deepEqual(seen, ["after"]);
  await sub.stop();
  await bus.close();
});

test("consumeErasures turns user.deleted and profile.deleted into one erasure each, and accountsOnly sees accounts only", async (t) => {
  const bus = await openBus();
  const all: Omit<Erasure, "event">[] = [];
  const accounts: string[] = [];
  const subs = [
    await consumeErasures(bus, {
      durable: "t-erase",
      log,
      erase: async ({ event: _, ...e }) => {
        all.push(e);
      },
    }),
    await consumeErasures(bus, {
      durable: "t-erase-accounts",
      accountsOnly: true,
      log,
      erase: async (e) => {
        accounts.push(e.userId);
      },
    }),
  ];
  await publishEvent(bus, EVENTS.profileDeleted, { userId: "u1", profileId: "p1" }, "e1");
  await publishEvent(bus, EVENTS.userDeleted, { userId: "u2", profileIds: ["p2", "p3"] }, "e2");
  await waitFor("every erasure", () => all.length === 2 && accounts.length === 1);
  t.deepEqual(all, [
    { userId: "u1", profileIds: ["p1"], wholeAccount: false },
    { userId: "u2", profileIds: ["p2", "p3"], wholeAccount: true },
  ]);
  t.deepEqual(accounts, ["u2"]);
  for (const s of subs) await s.stop();
  await bus.close();
});

test("readingsOf gives a report's readings, and reads a PlaybackHeartbeat from before reports as a report of its one reading", (t) => {
  const session = {
    sessionId: "s1",
    userId: "u1",
    profileId: "p1",
    contentId: "c1",
    episodeId: "e1",
    duration: durationFromMs(600_000),
    deviceId: "tv",
    country: "NO",
  };
  const reading = (sequence: bigint, positionMs: number) =>
    create(PlaybackReadingSchema, {
      sequence,
      eventTime: timestampFromMs(1_000 + positionMs),
      position: durationFromMs(positionMs),
      state: 1,
      renditionId: "720p",
      bitrateBps: 2_500_000n,
      bufferSeconds: 12.5,
      droppedFrames: 3n,
    });
  const report = fromBinary(
    PlaybackReportSchema,
    encodeEvent(EVENTS.playbackReport, { ...session, readings: [reading(1n, 60_000), reading(2n, 70_000)] }),
  );
  t.deepEqual(readingsOf(report), [reading(1n, 60_000), reading(2n, 70_000)]);

  const { $typeName: _, ...readingFields } = reading(7n, 80_000);
  const heartbeat = create(PlaybackHeartbeatSchema, { ...session, ...readingFields });
  const legacy = fromBinary(PlaybackReportSchema, toBinary(PlaybackHeartbeatSchema, heartbeat));
  t.like(legacy, session, "the session fields have the heartbeat's numbers");
  t.deepEqual(readingsOf(legacy), [reading(7n, 80_000)]);

  const empty = fromBinary(PlaybackReportSchema, encodeEvent(EVENTS.playbackReport, session));
  t.deepEqual(readingsOf(empty), [], "a report without readings is not taken for a heartbeat");
});
