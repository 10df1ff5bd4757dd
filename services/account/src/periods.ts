/**
 * Billing periods. A subscription's periods are counted from an anchor time:
 * period n runs from anchor + n cycles to anchor + (n + 1) cycles, in calendar
 * months (UTC). Counting from the anchor, not from the previous end, keeps a
 * subscription started on the 31st on the last day of short months without
 * drifting to the 28th for good.
 */
import { BillingCycle } from "@marquee/sdk/marquee/account/v1/account_service_pb";

function monthsOf(cycle: BillingCycle): number {
  return cycle === BillingCycle.YEARLY ? 12 : 1;
}

/** The anchor plus whole calendar months, the day clamped to the target month's length. */
export function addMonths(anchorMs: number, months: number): number {
  const d = new Date(anchorMs);
  const targetMonth = d.getUTCMonth() + months;
  const year = d.getUTCFullYear() + Math.floor(targetMonth / 12);
  const month = ((targetMonth % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(
    year,
    month,
    Math.min(d.getUTCDate(), lastDay),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  );
}

export interface Period {
  start: number;
  end: number;
}

export function periodOf(anchorMs: number, index: number, cycle: BillingCycle): Period {
  const m = monthsOf(cycle);
  return { start: addMonths(anchorMs, index * m), end: addMonths(anchorMs, (index + 1) * m) };
}
