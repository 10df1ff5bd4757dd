import { type Interaction, RATING_DOUBLE_UP, RATING_THUMBS_DOWN, RATING_THUMBS_UP } from "./types.js";

/** Share of the running time after which a viewing counts as completed. */
const COMPLETED_FRACTION = 0.9;
/** A session stopped before this share of the running time is "abandoned early". */
const ABANDONED_FRACTION = 0.25;

/**
 * How much a profile likes a title, from what it did: explicit ratings
 * dominate (thumbs down is negative whatever was watched), then viewing:
 * completed is a strong positive, a started or half-watched title a mild one,
 * and a session abandoned early a weak negative. 0 means "no signal".
 */
export function preference(
  i: Pick<Interaction, "rating" | "viewFraction" | "completed" | "abandoned">,
): number {
  const implicit = implicitPreference(i);
  switch (i.rating) {
    case RATING_THUMBS_DOWN:
      return -1.5;
    case RATING_THUMBS_UP:
      return 1.2 + 0.5 * Math.max(0, implicit);
    case RATING_DOUBLE_UP:
      return 2 + 0.5 * Math.max(0, implicit);
    default:
      return implicit;
  }
}

function implicitPreference(i: Pick<Interaction, "viewFraction" | "completed" | "abandoned">): number {
  if (i.completed) return 1;
  if (i.abandoned) return -0.3;
  if (i.viewFraction >= ABANDONED_FRACTION) return 0.5;
  if (i.viewFraction > 0) return 0.2;
  return 0;
}

/** The viewing facts one heartbeat gives: share watched, completion, early abandonment. */
export function viewingFromHeartbeat(
  positionSeconds: number,
  durationSeconds: number,
  stopped: boolean,
): { fraction: number; completed: boolean; abandoned: boolean } | undefined {
  if (!(durationSeconds > 0) || !(positionSeconds >= 0)) return undefined;
  const fraction = Math.min(1, positionSeconds / durationSeconds);
  const completed = fraction >= COMPLETED_FRACTION;
  return { fraction, completed, abandoned: stopped && !completed && fraction < ABANDONED_FRACTION };
}
