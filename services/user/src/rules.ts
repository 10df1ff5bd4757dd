import { MaturityRating } from "@marquee/sdk/marquee/common/v1/maturity_pb";

/** The account rules of the user service, free of any RPC or storage concern. */

export const MAX_PROFILES = 5;

/** E-mail addresses are compared trimmed and lower-cased. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Profile names are unique per account regardless of case and surrounding spaces. */
export function profileNameKey(name: string): string {
  return name.trim().toLowerCase();
}

/**
 * Why a date of birth is unacceptable, or undefined when it is a real
 * calendar date that is not after `today` (UTC) and not absurdly old.
 */
export function dateOfBirthProblem(value: string, today: Date = new Date()): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return "must be a date YYYY-MM-DD";
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return "must be a real calendar date";
  }
  const todayUtc = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  if (date.getTime() > todayUtc) return "must not be in the future";
  if (year < today.getUTCFullYear() - 150) return "must be within the last 150 years";
  return undefined;
}

/**
 * The cap a profile gets: a kids profile is capped at KIDS or below (KIDS when
 * none is asked for); other profiles keep what they ask for (UNSPECIFIED = no cap).
 * Returns a problem string for a kids profile asking for more.
 */
export function profileCap(kids: boolean, requested: MaturityRating): MaturityRating | string {
  if (!kids) return requested;
  if (requested === MaturityRating.UNSPECIFIED) return MaturityRating.KIDS;
  if (requested > MaturityRating.KIDS) return "a kids profile's maturity cap is at most MATURITY_RATING_KIDS";
  return requested;
}

/**
 * Titles on one profile's My List. Generous for a person (a few hundred is a
 * long watch-later list) and small enough that the list is one bounded
 * Cassandra partition read whole (500 rows of ~60 bytes), and a page never
 * needs a second index ordered by time.
 */
export const MAX_MY_LIST = 500;
