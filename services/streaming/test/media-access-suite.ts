import { durationFromMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { waitFor } from "@marquee/kit/testing";
import { VideoQuality } from "@marquee/sdk/marquee/common/v1/video_quality_pb";
import { PlaybackState } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import type { ExecutionContext, TestFn } from "ava";
import type { Entitlement, Harness } from "./harness.js";
import type { HarnessFactory } from "./playback-suite.js";

/** Room for a busy machine on top of the documented grace, in the deadlines below. */
const SLACK_MS = 5_000;
/** Long enough that a loaded machine's slow calls do not lapse a session that is heartbeating. */
const LEASE_MS = 6_000;
const ONE_STREAM: Entitlement = {
  active: true,
  maxHeight: 0,
  maxQuality: VideoQuality.FULL_HD,
  maxStreams: 1,
};

/** A session's manifest and one of its segments, as paths. */
function mediaOf(manifestUrl: string): string[] {
  return [manifestUrl, manifestUrl.replace(/manifest\.mpd$/, "chunk-240p-00001.m4s")];
}

/** HTTP statuses of GETs of `paths` at `base`. */
async function statuses(base: string, paths: readonly string[]): Promise<number[]> {
  return Promise.all(
    paths.map(async (p) => {
      const res = await fetch(base + p);
      await res.arrayBuffer();
      return res.status;
    }),
  );
}

const all = (got: number[], status: number) => got.every((s) => s === status);

/** One PLAYING reading of the session. */
function heartbeat(client: ReturnType<Harness["as"]>, sessionId: string, sequence: number) {
  return client.sendHeartbeat({
    sessionId,
    sequence: BigInt(sequence),
    eventTime: timestampFromMs(Date.now()),
    position: durationFromMs(sequence * 1_000),
    state: PlaybackState.PLAYING,
  });
}

async function codeOf(p: Promise<unknown>): Promise<Code | undefined> {
  return p.then(
    () => undefined,
    (e: unknown) => ConnectError.from(e).code,
  );
}

/** Both origins (the session's own replica and another) answer `status` for every path within `ms`. */
function bothAnswer(h: Harness, paths: readonly string[], status: number, ms: number, what: string) {
  return waitFor(
    what,
    async () =>
      all(await statuses(h.server.url, paths), status) && all(await statuses(h.replicaUrl, paths), status),
    ms,
  );
}

/** A harness with a member (on `plan` if given) who has just opened a session on the "tv". */
async function memberPlaying(
  t: ExecutionContext,
  open: HarnessFactory,
  opts: { slotLeaseMs?: number; plan?: Entitlement } = {},
) {
  const h = await open({ slotLeaseMs: opts.slotLeaseMs });
  t.teardown(() => h.close());
  const m = h.member();
  if (opts.plan !== undefined) h.entitlements.set(m.userId, opts.plan);
  const client = h.as(m.caller);
  const opened = await client.streamContent({
    profileId: m.profileId,
    contentId: h.contentId,
    deviceId: "tv",
  });
  return { h, m, client, opened };
}

/**
 * Media bound to a live session, over HTTP against the service's own origin and a second replica's
 * origin on the same store: URLs stop working when their session stops or its heartbeats lapse.
 */
export function mediaAccessSuite(test: TestFn, open: HarnessFactory): void {
  test("a stopped session's media is refused at once by its replica and within the grace by another; renewed URLs too", async (t) => {
    const { h, client, opened } = await memberPlaying(t, open);
    const renewed = await client.renewManifestUrl({ sessionId: opened.sessionId });
    const paths = [...mediaOf(opened.manifestUrl), ...mediaOf(renewed.manifestUrl)];
    t.deepEqual(await statuses(h.server.url, paths), [200, 200, 200, 200]);
    t.deepEqual(await statuses(h.replicaUrl, paths), [200, 200, 200, 200], "the other replica has it live");

    await client.stopStream({ sessionId: opened.sessionId, position: durationFromMs(5_000) });
    t.deepEqual(
      await statuses(h.server.url, paths),
      [403, 403, 403, 403],
      "refused at once where it stopped",
    );
    await bothAnswer(h, paths, 403, h.mediaCheckMs + SLACK_MS, "the other replica to refuse it too");
    const refusal = await fetch(h.server.url + (paths[1] as string));
    t.regex(await refusal.text(), /session has ended/);
    t.is(refusal.headers.get("cache-control"), "no-store");
  });

  test("the seek bar's thumbnails track and sprite come with the session: signed beside its manifest, refused once it stops", async (t) => {
    const { h, client, opened } = await memberPlaying(t, open);
    t.is(opened.thumbnailsUrl, opened.manifestUrl.replace(/manifest\.mpd$/, "thumbnails.vtt"));
    const paths = [opened.thumbnailsUrl, opened.thumbnailsUrl.replace(/thumbnails\.vtt$/, "sprite-001.jpg")];
    t.deepEqual(await statuses(h.server.url, paths), [200, 200]);
    const track = await fetch(h.server.url + opened.thumbnailsUrl);
    t.is(track.headers.get("content-type"), "text/vtt; charset=utf-8");
    t.regex(await track.text(), /^WEBVTT\n[\s\S]*sprite-001\.jpg#xywh=0,0,192,108/);
    // Not on the public artwork path, and not with another asset's name under the same signature.
    t.deepEqual(
      await statuses(h.server.url, [
        `/media/art/${opened.manifestUrl.split("/")[4]}/sprite-001.jpg`,
        (paths[1] as string).replace(/\/[0-9a-f-]+\/sprite/, "/00000000-0000-4000-8000-000000000000/sprite"),
      ]),
      [404, 403],
    );
    await client.stopStream({ sessionId: opened.sessionId, position: durationFromMs(5_000) });
    t.deepEqual(await statuses(h.server.url, paths), [403, 403], "refused once the session stopped");
  });

  test("heartbeats keep a session's media; once they lapse it is refused, and a renewal that retakes the slot brings it back", async (t) => {
    const { h, client, opened } = await memberPlaying(t, open, { slotLeaseMs: LEASE_MS });
    const { sessionId } = opened;
    const paths = mediaOf(opened.manifestUrl);
    // Heartbeats past the first lease: the media never stops.
    let sequence = 0;
    const until = Date.now() + LEASE_MS + 1_000;
    await waitFor(
      "a lease and more of heartbeats",
      async () => {
        sequence += 1;
        await heartbeat(client, sessionId, sequence);
        t.deepEqual(await statuses(h.server.url, paths), [200, 200], `after heartbeat ${sequence}`);
        return Date.now() > until;
      },
      2 * LEASE_MS + SLACK_MS,
    );
    // Silence: the slot lapses and with it the media, on both replicas.
    await bothAnswer(
      h,
      paths,
      403,
      LEASE_MS + h.mediaCheckMs + SLACK_MS,
      "the quiet session's media refused",
    );
    t.regex(await (await fetch(h.server.url + (paths[1] as string))).text(), /went quiet/);

    const renewed = await client.renewManifestUrl({ sessionId });
    const both = [...paths, ...mediaOf(renewed.manifestUrl)];
    t.deepEqual(await statuses(h.server.url, both), [200, 200, 200, 200], "back at once where it renewed");
    await bothAnswer(h, both, 200, h.mediaCheckMs + SLACK_MS, "the other replica to serve it again");
  });

  test("a heartbeat to a replica that missed the stop does not bring the session or its media back", async (t) => {
    // A longer lease: on a busy machine the first media requests must still fall inside it.
    const lease = 2 * LEASE_MS;
    const { h, client, opened } = await memberPlaying(t, open, { slotLeaseMs: lease });
    const paths = mediaOf(opened.manifestUrl);
    t.deepEqual(await statuses(h.server.url, paths), [200, 200]);
    // Another replica stops it: the store says ended and the slot is free; this one still has it cached.
    const stored = await h.store.getSession(opened.sessionId);
    if (stored === undefined) return t.fail("no session stored");
    await h.store.putSession({ ...stored, ended: true }, 3_600_000);
    await h.store.releaseSlot(stored.userId, stored.slot, stored.sessionId);

    let sequence = 0;
    await waitFor(
      "this replica's heartbeats to find the stop",
      async () => (await codeOf(heartbeat(client, opened.sessionId, ++sequence))) === Code.FailedPrecondition,
      lease + SLACK_MS,
    );
    t.true((await h.store.getSession(opened.sessionId))?.ended, "still ended");
    t.is(await h.store.slotHolder(stored.userId, stored.slot), undefined, "the slot stays free");
    await bothAnswer(h, paths, 403, h.mediaCheckMs + SLACK_MS, "its media refused");
  });

  test("on a one-stream plan, stopping a session and starting another leaves the old URLs dead", async (t) => {
    const { h, m, client, opened: first } = await memberPlaying(t, open, { plan: ONE_STREAM });
    const old = mediaOf(first.manifestUrl);
    t.deepEqual(await statuses(h.replicaUrl, old), [200, 200]);
    await client.stopStream({ sessionId: first.sessionId, position: durationFromMs(5_000) });

    const second = await client.streamContent({
      profileId: m.profileId,
      contentId: h.contentId,
      deviceId: "phone",
    });
    await bothAnswer(h, old, 403, h.mediaCheckMs + SLACK_MS, "the stopped session's media refused");
    t.deepEqual(await statuses(h.server.url, mediaOf(second.manifestUrl)), [200, 200]);
    t.deepEqual(await statuses(h.replicaUrl, mediaOf(second.manifestUrl)), [200, 200]);
    t.is(await codeOf(client.renewManifestUrl({ sessionId: first.sessionId })), Code.FailedPrecondition);
  });

  test("on a one-stream plan, a session left to lapse loses its media to the next one and cannot take it back", async (t) => {
    // A longer lease: the new session must hold its slot through every step below on a busy machine.
    const lease = 2 * LEASE_MS;
    const {
      h,
      m,
      client,
      opened: first,
    } = await memberPlaying(t, open, { slotLeaseMs: lease, plan: ONE_STREAM });
    const old = mediaOf(first.manifestUrl);
    t.deepEqual(await statuses(h.server.url, old), [200, 200]);

    const second = await waitFor(
      "the quiet session's slot to go to another device",
      () =>
        client
          .streamContent({ profileId: m.profileId, contentId: h.contentId, deviceId: "phone" })
          .catch(() => undefined),
      lease + SLACK_MS,
    );
    t.deepEqual(await statuses(h.server.url, mediaOf(second.manifestUrl)), [200, 200]);
    await bothAnswer(h, old, 403, h.mediaCheckMs + SLACK_MS, "the lapsed session's media refused");
    // The new device keeps playing (and so its slot) while the old one tries to come back.
    await heartbeat(client, second.sessionId, 1);
    t.is(await codeOf(client.renewManifestUrl({ sessionId: first.sessionId })), Code.ResourceExhausted);
    t.is(await codeOf(heartbeat(client, first.sessionId, 1)), Code.ResourceExhausted);
    t.deepEqual(await statuses(h.server.url, old), [403, 403], "still refused after its attempts");
  });
}
