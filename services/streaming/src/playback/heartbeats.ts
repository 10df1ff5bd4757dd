import type { MessageInitShape } from "@bufbuild/protobuf";
import { durationFromMs, durationMs, timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { EVENTS, type EventBus, publishEvent } from "@marquee/kit/bus";
import type { PlaybackReadingSchema } from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import { type HeartbeatReading, PlaybackState } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import type { LiveSlots } from "./live-slots.js";
import { positionProblem } from "./rules.js";
import type { SessionRecord } from "./session-store.js";

/** The fields of a heartbeat reading (SendHeartbeat's request and SendHeartbeats' readings share them). */
type Reading = Pick<
  HeartbeatReading,
  | "sequence"
  | "eventTime"
  | "position"
  | "state"
  | "renditionId"
  | "bitrateBps"
  | "bufferSeconds"
  | "droppedFrames"
> &
  // SendHeartbeat's request has no stall or startup times; SendHeartbeats' readings do.
  Partial<Pick<HeartbeatReading, "rebufferDuration" | "startupDuration">>;

type PublishedReading = MessageInitShape<typeof PlaybackReadingSchema>;

const ZERO = durationFromMs(0);

export interface HeartbeatDeps {
  bus: EventBus;
  slots: LiveSlots;
  settings: { maxClockSkewMs: number };
  now: () => number;
}

/** Heartbeat intake: readings checked against the session, then published to PLAYBACK. */
export function heartbeats(deps: HeartbeatDeps) {
  const { bus, slots, settings, now } = deps;
  /**
   * Publishes one report of the session's readings to PLAYBACK (one message, however many
   * readings); the history writer turns it into progress and history.
   */
  const publishReport = (session: SessionRecord, msgId: string, readings: PublishedReading[]) =>
    publishEvent(
      bus,
      EVENTS.playbackReport,
      {
        sessionId: session.sessionId,
        userId: session.userId,
        profileId: session.profileId,
        contentId: session.contentId,
        episodeId: session.episodeId,
        duration: durationFromMs(session.durationMs),
        deviceId: session.deviceId,
        country: session.country,
        readings,
      },
      msgId,
      session.profileId,
    );

  return {
    /** Pause, resume and stop are readings too (a report of one), stamped with the server's clock. */
    async stateChange(ctx: HandlerContext, sessionId: string, positionMs: number, state: PlaybackState) {
      const session = await slots.liveSession(ctx, sessionId);
      const problem = positionProblem(positionMs, session.durationMs);
      if (problem !== undefined) throw new ConnectError(`position: ${problem}`, Code.InvalidArgument);
      const at = now();
      const kind = PlaybackState[state].toLowerCase();
      await publishReport(session, `${session.sessionId}:${kind}:${at}`, [
        { sequence: 0n, eventTime: timestampFromMs(at), position: durationFromMs(positionMs), state },
      ]);
      return session;
    },

    /**
     * Checks every reading first (one bad reading refuses them all, nothing published), keeps the
     * slot once, then publishes them as one report; a STOPPED reading ends the session. The
     * readings go out as they came (their time and position messages reused, not rebuilt).
     */
    async report(
      ctx: HandlerContext,
      sessionId: string,
      readings: readonly Reading[],
      field: "" | "readings",
    ) {
      const session = await slots.liveSession(ctx, sessionId);
      const at = (i: number) => (field === "" ? "" : `${field}[${i}].`);
      const received = now();
      const latest = received + settings.maxClockSkewMs;
      const earliest = session.startTime.getTime() - settings.maxClockSkewMs;
      const checked: PublishedReading[] = new Array(readings.length);
      for (let i = 0; i < readings.length; i++) {
        const r = readings[i] as Reading;
        const position = r.position ?? ZERO;
        const problem = positionProblem(durationMs(position), session.durationMs);
        if (problem !== undefined)
          throw new ConnectError(`${at(i)}position: ${problem}`, Code.InvalidArgument);
        const eventTime = r.eventTime ?? timestampFromMs(received);
        const eventTimeMs = timestampMs(eventTime);
        if (eventTimeMs > latest) {
          throw new ConnectError(
            `${at(i)}event_time is in the future; check the device clock`,
            Code.InvalidArgument,
          );
        }
        if (eventTimeMs < earliest) {
          throw new ConnectError(`${at(i)}event_time is before the session started`, Code.InvalidArgument);
        }
        const before = readings[i - 1];
        if (before !== undefined && r.sequence <= before.sequence) {
          throw new ConnectError(
            `${at(i)}sequence: readings must be in ascending sequence order, without repeats`,
            Code.InvalidArgument,
          );
        }
        if (r.state === PlaybackState.STOPPED && i < readings.length - 1) {
          throw new ConnectError(`${at(i)}state: STOPPED can only be the last reading`, Code.InvalidArgument);
        }
        checked[i] = {
          sequence: r.sequence,
          eventTime,
          position,
          state: r.state,
          renditionId: r.renditionId,
          bitrateBps: r.bitrateBps,
          bufferSeconds: r.bufferSeconds,
          droppedFrames: r.droppedFrames,
          rebufferDuration: r.rebufferDuration,
          startupDuration: r.startupDuration,
        };
      }
      await slots.keepSlot(session);
      // Named by its sequence range, so a retry of the same report is dropped by the stream's dedupe window.
      const first = readings[0]?.sequence;
      const last = readings.at(-1)?.sequence;
      await publishReport(session, `${session.sessionId}:${first}-${last}`, checked);
      if (readings.at(-1)?.state === PlaybackState.STOPPED) await slots.endSession(session);
    },
  };
}
