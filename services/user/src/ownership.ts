import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { type Caller, requireMember, requireSelf } from "@marquee/kit";
import type { MemberStore, ProfileRecord, ProfileStore, UserRecord } from "./store.js";

/** The member a request names, once it is the caller's own account. */
export async function ownUser(
  store: Pick<MemberStore, "getUser">,
  ctx: HandlerContext,
  userId: string,
): Promise<UserRecord> {
  requireSelf(ctx, userId);
  const user = await store.getUser(userId);
  if (user === undefined) throw new ConnectError(`no member ${userId}`, Code.NotFound);
  return user;
}

/** Profile RPCs name only a profile: it is looked up in the signed-in member's own account. */
export function memberOf(ctx: HandlerContext): Caller & { userId: string } {
  const caller = requireMember(ctx);
  if (caller.kind !== "member" || caller.userId === undefined) {
    throw new ConnectError("profile RPCs act for a signed-in member", Code.PermissionDenied);
  }
  return caller as Caller & { userId: string };
}

export async function ownProfile(
  store: Pick<ProfileStore, "getProfile">,
  ctx: HandlerContext,
  profileId: string,
): Promise<ProfileRecord> {
  const caller = memberOf(ctx);
  const profile = await store.getProfile(caller.userId, profileId);
  // Another member's profile is "not found" too: ids of other accounts reveal nothing.
  if (profile === undefined) throw new ConnectError(`no profile ${profileId} in your account`, Code.NotFound);
  return profile;
}
