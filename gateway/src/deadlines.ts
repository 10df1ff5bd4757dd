import { SERVICE_MAX_TIMEOUT_MS } from "@marquee/kit";

/**
 * The deadlines the gateway gives the calls it forwards, the same on every
 * protocol. Unary calls: the client's deadline, capped at maxUnaryMs (a longer
 * one is shortened, never refused: a client with a generous default works,
 * and only a call still running at the cap fails, with DeadlineExceeded); a
 * call without one gets defaultUnaryMs. Server streams (an ingest can run
 * for long) get no default and keep the client's deadline, capped at the
 * longest a service accepts.
 */
export interface DeadlinePolicy {
  defaultUnaryMs: number;
  maxUnaryMs: number;
}

export function unaryDeadlineMs(clientMs: number | undefined, policy: DeadlinePolicy): number {
  return Math.min(clientMs ?? policy.defaultUnaryMs, policy.maxUnaryMs);
}

export function streamDeadlineMs(clientMs: number | undefined): number | undefined {
  return clientMs === undefined ? undefined : Math.min(clientMs, SERVICE_MAX_TIMEOUT_MS);
}

/** Why a unary call the gateway timed out was stopped, in words a client can act on. */
export function unaryDeadlineMessage(clientMs: number | undefined, policy: DeadlinePolicy): string {
  if (clientMs === undefined)
    return `the call took longer than ${policy.defaultUnaryMs} ms, the gateway's deadline for calls that set none; set one (at most ${policy.maxUnaryMs} ms)`;
  if (clientMs > policy.maxUnaryMs)
    return `the call took longer than ${policy.maxUnaryMs} ms, the longest deadline the gateway gives a call`;
  return "the call took longer than its deadline";
}
