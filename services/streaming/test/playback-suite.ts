import { randomUUID } from "node:crypto";
import { create, toBinary } from "@bufbuild/protobuf";
import { durationFromMs, durationMs, timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Caller } from "@marquee/kit";
import { waitFor } from "@marquee/kit/testing";
import { VideoQuality } from "@marquee/sdk/marquee/common/v1/video_quality_pb";
import { ProfileDeletedSchema } from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import { PlaybackState } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import type { ExecutionContext, TestFn } from "ava";
import { uuidv7 } from "../src/playback/session-id.js";
import { DURATION_MS, type Harness } from "./harness.js";

export type HarnessFactory = (opts?: { slotLeaseMs?: number }) => Promise<Harness>;

async function codeOf(t: ExecutionContext, p: Promise<unknown>): Promise<Code | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    t.true(err instanceof ConnectError, String(err));
    return (err as ConnectError).code;
  }
}

function beat(
  sessionId: string,
  sequence: number,
  eventTimeMs: number,
  positionMs: number,
  state = PlaybackState.PLAYING,
) {
  return {
    sessionId,
    sequence: BigInt(sequence),
    eventTime: timestampFromMs(eventTimeMs),
    position: durationFromMs(positionMs),
    state,
    renditionId: "720p",
    bitrateBps: 2_500_000n,
    bufferSeconds: 12,
    droppedFrames: 0n,
    measuredThroughputBps: 9_000_000n,
  };
}

/** The msgId of the report of readings `first` to `last` (the stream drops a report sent again). */
const reportId = (sessionId: string, first: number, last = first) => `${sessionId}:${first}-${last}`;

/** Playback behaviour through the RPCs, on whichever store and bus the factory wires. */
export function playbackSuite(test: TestFn, open: HarnessFactory): void {
  test("StreamContent opens a session with a signed expiring URL and the whole ladder for a top plan", async (t) => {
    const h = await open();
    t.teardown(() => h.close());
    const m = h.member();
    const res = await h
      .as(m.caller)
      .streamContent({ profileId: m.profileId, contentId: h.contentId, deviceId: "tv-1" });
    t.regex(res.sessionId, /^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    t.regex(
      res.manifestUrl,
      new RegExp(`^/media/s/${res.sessionId}\\.\\d+\\.0\\.[A-Za-z0-9_-]+/[0-9a-f-]+/manifest\\.mpd$`),
    );
    const expires = timestampMs(res.manifestExpireTime ?? timestampFromMs(0));
    t.true(expires > Date.now() && expires <= Date.now() + 3_601_000);
    t.deepEqual(
      res.renditions.map((r) => r.renditionId),
      ["240p", "360p", "480p", "720p", "1080p"],
    );
    t.is(durationMs(res.resumePosition ?? durationFromMs(1)), 0);
    t.is(durationMs(res.heartbeatInterval ?? durationFromMs(0)), 10_000);
  });

  test("the plan's resolution trims the ladder and the signed URL carries the cap", async (t) => {
    const h = await open();
    t.teardown(() => h.close());
    const m = h.member();
    h.entitlements.set(m.userId, {
      active: true,
      maxHeight: 720,
      maxQuality: VideoQuality.HD,
      maxStreams: 2,
    });
    const res = await h
      .as(m.caller)
      .streamContent({ profileId: m.profileId, contentId: h.contentId, deviceId: "tv-1" });
    t.deepEqual(
      res.renditions.map((r) => r.height),
      [240, 360, 480, 720],
    );
    t.is(res.maxQuality, VideoQuality.HD);
    t.regex(res.manifestUrl, /\.720\.[A-Za-z0-9_-]+\//);
  });

  test("no active subscription, no stream; unknown titles are NotFound", async (t) => {
    const h = await open();
    t.teardown(() => h.close());
    const m = h.member();
    h.entitlements.set(m.userId, {
      active: false,
      maxHeight: 0,
      maxQuality: VideoQuality.UNSPECIFIED,
      maxStreams: 0,
    });
    const client = h.as(m.caller);
    t.is(
      await codeOf(
        t,
        client.streamContent({ profileId: m.profileId, contentId: h.contentId, deviceId: "d" }),
      ),
      Code.FailedPrecondition,
    );
    h.entitlements.delete(m.userId);
    t.is(
      await codeOf(
        t,
        client.streamContent({ profileId: m.profileId, contentId: randomUUID(), deviceId: "d" }),
      ),
      Code.NotFound,
    );
  });

  test("members act only on their own profile and sessions", async (t) => {
    const h = await open();
    t.teardown(() => h.close());
    const m = h.member();
    const other = h.member();
    const { sessionId } = await h
      .as(m.caller)
      .streamContent({ profileId: m.profileId, contentId: h.contentId, deviceId: "d" });
    t.is(
      await codeOf(
        t,
        h.as(other.caller).streamContent({ profileId: m.profileId, contentId: h.contentId, deviceId: "d" }),
      ),
      Code.PermissionDenied,
    );
    t.is(
      await codeOf(t, h.as(other.caller).sendHeartbeat(beat(sessionId, 1, Date.now(), 60_000))),
      Code.NotFound,
    );
    t.is(
      await codeOf(t, h.as(other.caller).getContinueWatching({ profileId: m.profileId, pageSize: 5 })),
      Code.PermissionDenied,
    );
    t.is(
      await codeOf(
        t,
        h.as({ kind: "anonymous", scopes: [] }).stopStream({ sessionId, position: durationFromMs(0) }),
      ),
      Code.Unauthenticated,
    );
  });

  test("every session RPC answers an unknown session id and someone else's session alike", async (t) => {
    const h = await open();
    t.teardown(() => h.close());
    const m = h.member();
    const { sessionId } = await h
      .as(m.caller)
      .streamContent({ profileId: m.profileId, contentId: h.contentId, deviceId: "d" });
    const stranger = h.member();
    // Another profile of the same account: it selected a different profile, so not its session either.
    const sibling: Caller = { kind: "member", userId: m.userId, profileId: randomUUID(), scopes: [] };
    const partner: Caller = { kind: "partner", partnerId: "acme", scopes: ["catalog:read"] };
    const position = durationFromMs(1_000);
    const rpcs: Record<string, (c: Caller, id: string) => Promise<unknown>> = {
      PauseStream: (c, id) => h.as(c).pauseStream({ sessionId: id, position }),
      ResumeStream: (c, id) => h.as(c).resumeStream({ sessionId: id, position }),
      StopStream: (c, id) => h.as(c).stopStream({ sessionId: id, position }),
      SendHeartbeat: (c, id) => h.as(c).sendHeartbeat(beat(id, 1, Date.now(), 1_000)),
      SendHeartbeats: (c, id) =>
        h.as(c).sendHeartbeats({ sessionId: id, readings: [beat(id, 1, Date.now(), 1_000)] }),
      RenewManifestUrl: (c, id) => h.as(c).renewManifestUrl({ sessionId: id }),
    };
    const answer = (p: Promise<unknown>) =>
      p.then(
        () => "answered",
        (e: unknown) => {
          const err = ConnectError.from(e);
          return `${Code[err.code]}: ${err.rawMessage}`;
        },
      );
    for (const [name, call] of Object.entries(rpcs)) {
      const unknown = await answer(call(stranger.caller, uuidv7()));
      t.regex(unknown, /^NotFound: no such playback session/, name);
      t.is(await answer(call(stranger.caller, sessionId)), unknown, `${name}: another member's session`);
      t.is(await answer(call(sibling, sessionId)), unknown, `${name}: another profile's session`);
      t.is(await answer(call(partner, sessionId)), unknown, `${name}: a partner`);
      t.is(await answer(call(partner, uuidv7())), unknown, `${name}: a partner, unknown id`);
    }
    // None of it touched the owner's session.
    await t.notThrowsAsync(h.as(m.caller).renewManifestUrl({ sessionId }));
  });

  test("the concurrent-stream limit holds under parallel StreamContent calls", async (t) => {
    const h = await open();
    t.teardown(() => h.close());
    const m = h.member();
    h.entitlements.set(m.userId, {
      active: true,
      maxHeight: 1080,
      maxQuality: VideoQuality.FULL_HD,
      maxStreams: 2,
    });
    const client = h.as(m.caller);
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        client.streamContent({ profileId: m.profileId, contentId: h.contentId, deviceId: `d${i}` }),
      ),
    );
    const opened = attempts.filter((a) => a.status === "fulfilled");
    const refused = attempts.flatMap((a) => (a.status === "rejected" ? [a.reason as ConnectError] : []));
    t.is(opened.length, 2);
    t.is(refused.length, 6);
    t.true(refused.every((e) => e.code === Code.ResourceExhausted));
    t.regex(refused[0]?.rawMessage ?? "", /allows 2 streams at once/);
    // Stopping one frees its slot for the next device.
    const first = (opened[0] as PromiseFulfilledResult<{ sessionId: string }>).value;
    await client.stopStream({ sessionId: first.sessionId, position: durationFromMs(0) });
    await t.notThrowsAsync(
      client.streamContent({ profileId: m.profileId, contentId: h.contentId, deviceId: "d9" }),
    );
    t.is(
      await codeOf(t, client.sendHeartbeat(beat(first.sessionId, 2, Date.now(), 1_000))),
      Code.FailedPrecondition,
      "a stopped session takes no heartbeats",
    );
  });

  test("a session whose heartbeats stop frees its slot after the lease", async (t) => {
    const h = await open({ slotLeaseMs: 4_000 });
    t.teardown(() => h.close());
    const m = h.member();
    h.entitlements.set(m.userId, {
      active: true,
      maxHeight: 0,
      maxQuality: VideoQuality.FULL_HD,
      maxStreams: 1,
    });
    const client = h.as(m.caller);
    await client.streamContent({ profileId: m.profileId, contentId: h.contentId, deviceId: "a" });
    t.is(
      await codeOf(
        t,
        client.streamContent({ profileId: m.profileId, contentId: h.contentId, deviceId: "b" }),
      ),
      Code.ResourceExhausted,
    );
    await waitFor(
      "the quiet session's slot to lapse",
      async () =>
        (await codeOf(
          t,
          client.streamContent({ profileId: m.profileId, contentId: h.contentId, deviceId: "b" }),
        )) === undefined,
      15_000,
    );
    t.pass();
  });

  test("replayed and reordered heartbeats never move progress backwards", async (t) => {
    const h = await open();
    t.teardown(() => h.close());
    const m = h.member();
    const client = h.as(m.caller);
    const { sessionId } = await client.streamContent({
      profileId: m.profileId,
      contentId: h.contentId,
      deviceId: "tv",
    });
    const t0 = Date.now() - 60_000;
    const beats = [1, 2, 3, 4, 5].map((seq) =>
      beat(sessionId, seq, t0 + seq * 10_000, 100_000 + seq * 10_000),
    );
    // Out of order, with repeats (retries of the same sequence number).
    for (const i of [0, 3, 4, 1, 2, 4, 1, 0]) await client.sendHeartbeat(beats[i] as (typeof beats)[number]);
    await waitFor("five heartbeats durable", () =>
      [1, 2, 3, 4, 5].every((s) => h.durable.has(reportId(sessionId, s))),
    );
    const pos = await client.getPlaybackPosition({ profileId: m.profileId, contentId: h.contentId });
    t.is(durationMs(pos.progress?.position ?? durationFromMs(0)), 150_000);
    t.is(timestampMs(pos.progress?.updateTime ?? timestampFromMs(0)), t0 + 50_000);
    const history = await client.listViewingHistory({ profileId: m.profileId, pageSize: 10 });
    t.is(history.entries.length, 1, "one entry for the session, counted once");
    t.is(durationMs(history.entries[0]?.position ?? durationFromMs(0)), 150_000);
    // The next session resumes there.
    const again = await client.streamContent({
      profileId: m.profileId,
      contentId: h.contentId,
      deviceId: "tv",
    });
    t.is(durationMs(again.resumePosition ?? durationFromMs(0)), 150_000);
  });

  test("under 5% saves nothing; 90% or more completes the title and offers no resume", async (t) => {
    const h = await open();
    t.teardown(() => h.close());
    const m = h.member();
    const client = h.as(m.caller);
    const { sessionId } = await client.streamContent({
      profileId: m.profileId,
      contentId: h.contentId,
      deviceId: "tv",
    });
    const now = Date.now();
    await client.sendHeartbeat(beat(sessionId, 1, now - 3_000, DURATION_MS * 0.04));
    await waitFor("the early heartbeat handled", () => h.durable.has(reportId(sessionId, 1)));
    t.deepEqual(
      (await client.getPlaybackPosition({ profileId: m.profileId, contentId: h.contentId })).progress,
      undefined,
    );
    t.deepEqual((await client.listViewingHistory({ profileId: m.profileId, pageSize: 10 })).entries, []);

    await client.sendHeartbeat(beat(sessionId, 2, now - 2_000, DURATION_MS * 0.5));
    await waitFor("halfway durable", () => h.durable.has(reportId(sessionId, 2)));
    const watching = await client.getContinueWatching({ profileId: m.profileId, pageSize: 10 });
    t.deepEqual(
      watching.items.map((i) => i.contentId),
      [h.contentId],
    );

    await client.sendHeartbeat(beat(sessionId, 3, now - 1_000, DURATION_MS * 0.92));
    await waitFor("the end durable", () => h.durable.has(reportId(sessionId, 3)));
    const pos = await client.getPlaybackPosition({ profileId: m.profileId, contentId: h.contentId });
    t.true(pos.progress?.completed);
    t.is(durationMs(pos.progress?.position ?? durationFromMs(1)), 0);
    t.deepEqual((await client.getContinueWatching({ profileId: m.profileId, pageSize: 10 })).items, []);
    const history = await client.listViewingHistory({ profileId: m.profileId, pageSize: 10 });
    t.true(history.entries[0]?.completed);
    const again = await client.streamContent({
      profileId: m.profileId,
      contentId: h.contentId,
      deviceId: "tv",
    });
    t.is(durationMs(again.resumePosition ?? durationFromMs(1)), 0);
  });

  test("bad heartbeats are rejected and store nothing", async (t) => {
    const h = await open();
    t.teardown(() => h.close());
    const m = h.member();
    const client = h.as(m.caller);
    const { sessionId } = await client.streamContent({
      profileId: m.profileId,
      contentId: h.contentId,
      deviceId: "tv",
    });
    const now = Date.now();
    const negative = { ...beat(sessionId, 1, now, 0), position: { seconds: -5n, nanos: 0 } };
    t.is(await codeOf(t, client.sendHeartbeat(negative)), Code.InvalidArgument);
    const past = beat(sessionId, 2, now, DURATION_MS + 60_000);
    const err = await client.sendHeartbeat(past).catch((e: unknown) => e as ConnectError);
    t.is((err as ConnectError).code, Code.InvalidArgument);
    t.regex((err as ConnectError).rawMessage, /past the title's duration/);
    t.is(await codeOf(t, client.sendHeartbeat(beat(randomUUID(), 3, now, 60_000))), Code.NotFound);
    t.is(
      await codeOf(t, client.sendHeartbeat(beat(sessionId, 4, now + 3_600_000, 60_000))),
      Code.InvalidArgument,
    );
    t.is(
      await codeOf(t, client.pauseStream({ sessionId, position: durationFromMs(DURATION_MS * 2) })),
      Code.InvalidArgument,
    );
    // A good heartbeat after them: once it is durable, the bad ones would have been too.
    await client.sendHeartbeat(beat(sessionId, 5, now, 30_000));
    await waitFor("the good heartbeat durable", () => h.durable.has(reportId(sessionId, 5)));
    t.deepEqual(
      [...h.durable.keys()].filter((k) => k.startsWith(sessionId)),
      [reportId(sessionId, 5)],
    );
    const pos = await client.getPlaybackPosition({ profileId: m.profileId, contentId: h.contentId });
    t.is(durationMs(pos.progress?.position ?? durationFromMs(0)), 30_000);
  });

  test("SendHeartbeats takes readings together: one bad reading refuses all, a retry counts once, STOPPED last ends the session", async (t) => {
    const h = await open();
    t.teardown(() => h.close());
    const m = h.member();
    const client = h.as(m.caller);
    const { sessionId, reportInterval } = await client.streamContent({
      profileId: m.profileId,
      contentId: h.contentId,
      deviceId: "tv",
    });
    t.is(durationMs(reportInterval ?? durationFromMs(0)), 20_000);
    const t0 = Date.now() - 60_000;
    const reading = (seq: number, positionMs: number, state = PlaybackState.PLAYING) => {
      const { sessionId: _, ...r } = beat(sessionId, seq, t0 + seq * 1_000, positionMs, state);
      return r;
    };
    const refused = async (readings: ReturnType<typeof reading>[], pattern: RegExp) => {
      const err = await client.sendHeartbeats({ sessionId, readings }).catch((e: unknown) => e);
      t.true(err instanceof ConnectError, String(err));
      t.is((err as ConnectError).code, Code.InvalidArgument);
      t.regex((err as ConnectError).rawMessage, pattern);
    };
    await refused(
      [reading(1, 100_000), reading(2, DURATION_MS + 60_000)],
      /readings\[1\]\.position: .*past the title's duration/,
    );
    await refused([reading(2, 100_000), reading(1, 101_000)], /readings\[1\]\.sequence: .*ascending/);
    await refused([reading(1, 100_000), reading(1, 101_000)], /readings\[1\]\.sequence/);
    await refused(
      [reading(1, 100_000, PlaybackState.STOPPED), reading(2, 101_000)],
      /readings\[0\]\.state: STOPPED/,
    );
    await refused([], /readings/);

    const batch = [1, 2, 3, 4, 5, 6].map((seq) => reading(seq, 100_000 + seq * 1_000));
    const res = await client.sendHeartbeats({ sessionId, readings: batch });
    t.is(durationMs(res.reportInterval ?? durationFromMs(0)), 20_000);
    // The same report retried (its answer lost), then a client resending only part of it.
    await client.sendHeartbeats({ sessionId, readings: batch });
    await client.sendHeartbeats({ sessionId, readings: batch.slice(3) });
    await waitFor("both reports durable", () =>
      [reportId(sessionId, 1, 6), reportId(sessionId, 4, 6)].every((id) => h.durable.has(id)),
    );
    t.deepEqual(
      [...h.durable.entries()].filter(([k]) => k.startsWith(sessionId)).sort(),
      [
        [reportId(sessionId, 1, 6), 1],
        [reportId(sessionId, 4, 6), 1],
      ],
      "the refused requests left nothing, the retried report nothing twice",
    );
    const pos = await client.getPlaybackPosition({ profileId: m.profileId, contentId: h.contentId });
    t.is(durationMs(pos.progress?.position ?? durationFromMs(0)), 106_000);
    const history = await client.listViewingHistory({ profileId: m.profileId, pageSize: 10 });
    t.is(history.entries.length, 1);
    t.is(durationMs(history.entries[0]?.position ?? durationFromMs(0)), 106_000);

    await client.sendHeartbeats({
      sessionId,
      readings: [reading(7, 107_000), reading(8, 108_000, PlaybackState.STOPPED)],
    });
    t.is(
      await codeOf(t, client.sendHeartbeats({ sessionId, readings: [reading(9, 109_000)] })),
      Code.FailedPrecondition,
    );
    await waitFor("the stop durable", async () => {
      const p = await client.getPlaybackPosition({ profileId: m.profileId, contentId: h.contentId });
      return durationMs(p.progress?.position ?? durationFromMs(0)) === 108_000;
    });
  });

  test("pause, resume and stop record the position", async (t) => {
    const h = await open();
    t.teardown(() => h.close());
    const m = h.member();
    const client = h.as(m.caller);
    const { sessionId } = await client.streamContent({
      profileId: m.profileId,
      contentId: h.contentId,
      deviceId: "tv",
    });
    await client.pauseStream({ sessionId, position: durationFromMs(100_000) });
    await client.resumeStream({ sessionId, position: durationFromMs(100_000) });
    await client.stopStream({ sessionId, position: durationFromMs(200_000) });
    await waitFor("the stop durable", async () => {
      const p = await client.getPlaybackPosition({ profileId: m.profileId, contentId: h.contentId });
      return p.progress !== undefined && durationMs(p.progress.position ?? durationFromMs(0)) === 200_000;
    });
    t.is(await codeOf(t, client.renewManifestUrl({ sessionId })), Code.FailedPrecondition);
    // Stopped again (a player leaving after its STOPPED reading): success, and the first stop's position stays.
    await client.stopStream({ sessionId, position: durationFromMs(5_000) });
    const p = await client.getPlaybackPosition({ profileId: m.profileId, contentId: h.contentId });
    t.is(durationMs(p.progress?.position ?? durationFromMs(0)), 200_000);
    t.is(await codeOf(t, client.renewManifestUrl({ sessionId })), Code.FailedPrecondition);
  });

  test("RenewManifestUrl gives a fresh URL for a live session", async (t) => {
    const h = await open();
    t.teardown(() => h.close());
    const m = h.member();
    const client = h.as(m.caller);
    const opened = await client.streamContent({
      profileId: m.profileId,
      contentId: h.contentId,
      deviceId: "tv",
    });
    const renewed = await client.renewManifestUrl({ sessionId: opened.sessionId });
    t.true(renewed.manifestUrl.startsWith(`/media/s/${opened.sessionId}.`));
  });

  test("history pages newest first, a removed title is forgotten, and profile.deleted erases everything", async (t) => {
    const h = await open();
    t.teardown(() => h.close());
    const m = h.member();
    const client = h.as(m.caller);
    const sessions: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { sessionId } = await client.streamContent({
        profileId: m.profileId,
        contentId: h.contentId,
        deviceId: "tv",
      });
      sessions.push(sessionId);
      await client.sendHeartbeat(beat(sessionId, 1, Date.now(), 60_000 + i * 1_000));
      await client.stopStream({ sessionId, position: durationFromMs(60_000 + i * 1_000) });
      await waitFor("durable", () => h.durable.has(reportId(sessionId, 1)));
    }
    const first = await client.listViewingHistory({ profileId: m.profileId, pageSize: 2 });
    t.is(first.entries.length, 2);
    t.not(first.nextPageToken, "");
    const second = await client.listViewingHistory({
      profileId: m.profileId,
      pageSize: 2,
      pageToken: first.nextPageToken,
    });
    t.is(second.entries.length, 1);
    t.is(second.nextPageToken, "");
    const times = [...first.entries, ...second.entries].map((e) =>
      timestampMs(e.watchTime ?? timestampFromMs(0)),
    );
    t.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
    );
    t.is(
      await codeOf(
        t,
        client.listViewingHistory({ profileId: m.profileId, pageSize: 2, pageToken: "garbage" }),
      ),
      Code.InvalidArgument,
    );

    await client.removeFromViewingHistory({ profileId: m.profileId, contentId: h.contentId });
    t.deepEqual((await client.listViewingHistory({ profileId: m.profileId, pageSize: 10 })).entries, []);
    t.is(
      (await client.getPlaybackPosition({ profileId: m.profileId, contentId: h.contentId })).progress,
      undefined,
    );

    // Watch again, then the profile is deleted.
    const { sessionId } = await client.streamContent({
      profileId: m.profileId,
      contentId: h.contentId,
      deviceId: "tv",
    });
    await client.sendHeartbeat(beat(sessionId, 1, Date.now(), 120_000));
    await waitFor("durable", () => h.durable.has(reportId(sessionId, 1)));
    t.truthy((await client.getPlaybackPosition({ profileId: m.profileId, contentId: h.contentId })).progress);
    const event = create(ProfileDeletedSchema, {
      userId: m.userId,
      profileId: m.profileId,
      deleteTime: timestampFromMs(Date.now()),
    });
    await h.bus.publish(
      "profile.deleted",
      toBinary(ProfileDeletedSchema, event),
      `profile.deleted:${m.profileId}`,
    );
    await waitFor(
      "the erasure",
      async () =>
        (await client.getPlaybackPosition({ profileId: m.profileId, contentId: h.contentId })).progress ===
        undefined,
    );
    t.deepEqual((await client.listViewingHistory({ profileId: m.profileId, pageSize: 10 })).entries, []);
  });

  test("history goes on past its 13 months with one summary entry per title watched only before them", async (t) => {
    const h = await open();
    t.teardown(() => h.close());
    const m = h.member();
    const client = h.as(m.caller);
    const DAY = 24 * 3600_000;
    const [old, older, rewatched] = [randomUUID(), randomUUID(), randomUUID()];
    const write = (contentId: string, daysAgo: number, positionMs: number, completed = false) => {
      const at = new Date(Date.now() - daysAgo * DAY);
      return h.store.recordProgress({
        profileId: m.profileId,
        contentId,
        episodeId: "",
        sessionId: uuidv7(at.getTime()),
        watchedAt: at,
        eventTime: at,
        positionMs,
        durationMs: DURATION_MS,
        completed,
        deviceId: "tv",
      });
    };
    await write(older, 700, DURATION_MS, true);
    await write(old, 450, 1_800_000);
    await write(rewatched, 600, 600_000);
    await write(rewatched, 3, 900_000);
    // And one viewing now, through the service.
    const { sessionId } = await client.streamContent({
      profileId: m.profileId,
      contentId: h.contentId,
      deviceId: "tv",
    });
    await client.sendHeartbeat(beat(sessionId, 1, Date.now(), 60_000));
    await client.stopStream({ sessionId, position: durationFromMs(60_000) });
    await waitFor("durable", () => h.durable.has(reportId(sessionId, 1)));

    const pages = [];
    let pageToken = "";
    do {
      const page = await client.listViewingHistory({ profileId: m.profileId, pageSize: 1, pageToken });
      pages.push(...page.entries);
      pageToken = page.nextPageToken;
    } while (pageToken !== "" && pages.length < 10);
    t.deepEqual(
      pages.map((e) => [e.contentId, e.summary]),
      [
        [h.contentId, false],
        [rewatched, false],
        [old, true],
        [older, true],
      ],
      "each title once: recent viewings, then titles last watched before the window, newest first",
    );
    t.is(durationMs(pages[2]?.position ?? durationFromMs(0)), 1_800_000);
    t.true(pages[3]?.completed);
    const oneCall = await client.listViewingHistory({ profileId: m.profileId, pageSize: 10 });
    t.deepEqual(oneCall.entries, pages);
    t.is(oneCall.nextPageToken, "");

    await client.removeFromViewingHistory({ profileId: m.profileId, contentId: old });
    t.deepEqual(
      (await client.listViewingHistory({ profileId: m.profileId, pageSize: 10 })).entries.map(
        (e) => e.contentId,
      ),
      [h.contentId, rewatched, older],
    );
  });
}
