import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  PlaybackHeartbeatSchema,
  type PlaybackReading,
  PlaybackReadingSchema,
  type PlaybackReport,
  PlaybackReportSchema,
} from "@marquee/sdk/marquee/events/v1/domain_events_pb";

/** PlaybackHeartbeat's reading fields: PlaybackReport reserves their numbers. */
const HEARTBEAT_READING_FIELDS = new Set([2, 7, 8, 10, 11, 12, 13, 14]);

/**
 * The readings of a PLAYBACK event (`EVENTS.playbackReport`), as every consumer of
 * the stream reads them. A PlaybackHeartbeat published before reports (still on the
 * stream after an upgrade) decodes as a report without readings whose reading fields
 * come back unknown; it is read as a report of that one reading. A report without
 * readings and without those fields has none.
 */
export function readingsOf(report: PlaybackReport): PlaybackReading[] {
  if (report.readings.length > 0 || !report.$unknown?.some((f) => HEARTBEAT_READING_FIELDS.has(f.no)))
    return report.readings;
  const hb = fromBinary(PlaybackHeartbeatSchema, toBinary(PlaybackReportSchema, report));
  return [
    create(PlaybackReadingSchema, {
      sequence: hb.sequence,
      eventTime: hb.eventTime,
      position: hb.position,
      state: hb.state,
      renditionId: hb.renditionId,
      bitrateBps: hb.bitrateBps,
      bufferSeconds: hb.bufferSeconds,
      droppedFrames: hb.droppedFrames,
    }),
  ];
}
