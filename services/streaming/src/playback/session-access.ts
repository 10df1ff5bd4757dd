import { Code, ConnectError } from "@connectrpc/connect";
import type { Caller } from "@marquee/kit";
import type { SessionRecord } from "./session-store.js";

/** What every session RPC answers for a session the caller cannot have: unknown, expired or someone else's. */
export const NO_SUCH_SESSION = "no such playback session (it may have expired); call StreamContent again";

/**
 * The caller's own session. A member acts only on sessions of the profile
 * they selected; internal services act on any. An id that names no session
 * and one that names another member's get the same NotFound with the same
 * message, so a guessed or leaked id tells nothing about whether it exists.
 */
export function ownSession(caller: Caller, session: SessionRecord | undefined): SessionRecord {
  const mine =
    session !== undefined &&
    (caller.kind === "internal" || (caller.kind === "member" && caller.profileId === session.profileId));
  if (!mine) throw new ConnectError(NO_SUCH_SESSION, Code.NotFound);
  return session;
}
