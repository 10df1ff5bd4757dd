import { randomUUID } from "node:crypto";
import { create, toBinary } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  ContentVisibilityChangedSchema,
  PlaybackHeartbeatSchema,
  PlaybackReportSchema,
  ProfileDeletedSchema,
  RatingSubmittedSchema,
  UserDeletedSchema,
} from "@marquee/sdk/marquee/events/v1/domain_events_pb";

/** Events as the other services publish them: [subject, payload]. */
export type Event = [subject: string, data: Uint8Array];

let seq = 0;

export function visibilityEvent(
  contentId: string,
  published: boolean,
  maturity: number,
  time: number,
): Event {
  return [
    published ? "content.published" : "content.unpublished",
    toBinary(
      ContentVisibilityChangedSchema,
      create(ContentVisibilityChangedSchema, {
        contentId,
        published,
        maturityRating: maturity,
        changeTime: timestampFromMs(time),
      }),
    ),
  ];
}

export function ratingEvent(profileId: string, contentId: string, value: number, time: number): Event {
  return [
    "rating.submitted",
    toBinary(
      RatingSubmittedSchema,
      create(RatingSubmittedSchema, { profileId, contentId, value, rateTime: timestampFromMs(time) }),
    ),
  ];
}

/**
 * A heartbeat report of one session: a reading at each of `fractions` of an hour's title, a second
 * apart, the last at `time`; `stopped` stops at the last.
 */
export function reportEvent(
  profileId: string,
  contentId: string,
  fractions: number | readonly number[],
  opts: { stopped?: boolean; time?: number } = {},
): Event {
  const shares = typeof fractions === "number" ? [fractions] : fractions;
  const last = opts.time ?? Date.now();
  return [
    `playback.heartbeat.${profileId}`,
    toBinary(
      PlaybackReportSchema,
      create(PlaybackReportSchema, {
        sessionId: randomUUID(),
        profileId,
        contentId,
        duration: durationFromMs(3_600_000),
        readings: shares.map((fraction, i) => ({
          sequence: BigInt(++seq),
          eventTime: timestampFromMs(last - (shares.length - 1 - i) * 1000),
          position: durationFromMs(fraction * 3_600_000),
          state: opts.stopped && i === shares.length - 1 ? 5 : 1,
        })),
      }),
    ),
  ];
}

/** A heartbeat as published before reports (one message per reading), still on the stream after an upgrade. */
export function legacyHeartbeatEvent(profileId: string, contentId: string, fraction: number): Event {
  return [
    `playback.heartbeat.${profileId}`,
    toBinary(
      PlaybackHeartbeatSchema,
      create(PlaybackHeartbeatSchema, {
        sessionId: randomUUID(),
        sequence: BigInt(++seq),
        profileId,
        contentId,
        eventTime: timestampFromMs(Date.now()),
        position: durationFromMs(fraction * 3_600_000),
        duration: durationFromMs(3_600_000),
        state: 1,
      }),
    ),
  ];
}

export function profileDeletedEvent(profileId: string): Event {
  return [
    "profile.deleted",
    toBinary(ProfileDeletedSchema, create(ProfileDeletedSchema, { profileId, userId: randomUUID() })),
  ];
}

export function userDeletedEvent(profileIds: string[]): Event {
  return [
    "user.deleted",
    toBinary(UserDeletedSchema, create(UserDeletedSchema, { profileIds, userId: randomUUID() })),
  ];
}
