import { type Code, ConnectError } from "@connectrpc/connect";
import type { ExecutionContext } from "ava";

/** Awaits a call that must fail with this code; returns the error for further checks. */
export async function rejects(
  t: ExecutionContext,
  call: Promise<unknown>,
  code: Code,
): Promise<ConnectError> {
  const err = await t.throwsAsync(call);
  const ce = ConnectError.from(err);
  t.is(ce.code, code, `expected code ${code}, got ${ce.code}: ${ce.message}`);
  return ce;
}
