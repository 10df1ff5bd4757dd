import { durationFromMs, durationMs, timestampDate, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { EVENTS, type EventBus, publishEvent } from "@marquee/kit/bus";
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
>;

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
  const publishReport = (
    session: SessionRecord,
    msgId: string,
    readings: ReadonlyArray<
      {
        sequence: bigint;
        eventTimeMs: number;
        positionMs: number;
        state: PlaybackState;
      } & Partial<{
        renditionId: string;
        bitrateBps: bigint;
        bufferSeconds: number;
        droppedFrames: bigint;
      }>
    >,
  ) =>
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
        readings: readings.map((r) => ({
          sequence: r.sequence,
          eventTime: timestampFromMs(r.eventTimeMs),
          position: durationFromMs(r.positionMs),
          state: r.state,
          renditionId: r.renditionId ?? "",
          bitrateBps: r.bitrateBps ?? 0n,
          bufferSeconds: r.bufferSeconds ?? 0,
          droppedFrames: r.droppedFrames ?? 0n,
        })),
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
        { sequence: 0n, eventTimeMs: at, positionMs, state },
      ]);
      return session;
    },

    /**
     * Checks every reading first (one bad reading refuses them all, nothing published), keeps the
     * slot once, then publishes them as one report; a STOPPED reading ends the session.
     */
    async report(
      ctx: HandlerContext,
      sessionId: string,
      readings: readonly Reading[],
      field: "" | "readings",
    ) {
      const session = await slots.liveSession(ctx, sessionId);
      const at = (i: number) => (field === "" ? "" : `${field}[${i}].`);
      const checked = readings.map((r, i) => {
        const positionMs = durationMs(r.position ?? durationFromMs(0));
        const problem = positionProblem(positionMs, session.durationMs);
        if (problem !== undefined)
          throw new ConnectError(`${at(i)}position: ${problem}`, Code.InvalidArgument);
        const eventTimeMs = timestampDate(r.eventTime ?? timestampFromMs(now())).getTime();
        if (eventTimeMs > now() + settings.maxClockSkewMs) {
          throw new ConnectError(
            `${at(i)}event_time is in the future; check the device clock`,
            Code.InvalidArgument,
          );
        }
        if (eventTimeMs < session.startTime.getTime() - settings.maxClockSkewMs) {
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
        return { ...r, positionMs, eventTimeMs };
      });
      await slots.keepSlot(session);
      // Named by its sequence range, so a retry of the same report is dropped by the stream's dedupe window.
      const first = checked[0]?.sequence;
      const last = checked.at(-1)?.sequence;
      await publishReport(session, `${session.sessionId}:${first}-${last}`, checked);
      if (checked.at(-1)?.state === PlaybackState.STOPPED) await slots.endSession(session);
    },
  };
}
