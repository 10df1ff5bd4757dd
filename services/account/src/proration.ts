/**
 * Proration of an upgrade: the member pays the price difference for the part
 * of the period that remains. Computed exactly in integers (minor units times
 * milliseconds) and rounded half up to a whole minor unit:
 *
 *   charge = round_half_up(difference × remaining_ms / period_ms)
 */
export function prorate(differenceMinor: number, remainingMs: number, periodMs: number): number {
  if (!Number.isSafeInteger(differenceMinor) || differenceMinor < 0)
    throw new RangeError("the price difference must be a non-negative integer");
  if (periodMs <= 0) throw new RangeError("the period must have a length");
  const remaining = BigInt(Math.max(0, Math.min(remainingMs, periodMs)));
  const numerator = BigInt(differenceMinor) * remaining;
  const denominator = BigInt(periodMs);
  return Number((2n * numerator + denominator) / (2n * denominator));
}
