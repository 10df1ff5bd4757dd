/**
 * Maturity caps. Ratings are ordered (ALL < KIDS < TEEN < ADULT, see
 * marquee.common.v1.MaturityRating); 0 as a cap means "no cap". A request may
 * only narrow the caller's cap, never widen it.
 */
export const NO_CAP = Number.POSITIVE_INFINITY;

/** The cap in force: the lower of the profile's cap and the request's own, where set. */
export function effectiveCap(callerCap: number | undefined, requestCap: number): number {
  const caps = [callerCap ?? 0, requestCap].filter((c) => c > 0);
  return caps.length === 0 ? NO_CAP : Math.min(...caps);
}

export function allowed(rating: number, cap: number): boolean {
  return rating <= cap;
}
