import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { type Caller, callerKey } from "./caller.js";

/**
 * Ownership and role checks for handlers. The gateway says who the caller is
 * (see caller.ts); each service decides what that caller may touch.
 */
export function callerOf(ctx: HandlerContext): Caller {
  return ctx.values.get(callerKey);
}

/** Internal services act for any member; everyone else must be signed in. */
export function requireMember(ctx: HandlerContext): Caller {
  const caller = callerOf(ctx);
  if (caller.kind === "anonymous") throw new ConnectError("sign in first", Code.Unauthenticated);
  return caller;
}

/** The caller must be this member (or an internal service acting for them). */
export function requireSelf(ctx: HandlerContext, userId: string): Caller {
  const caller = requireMember(ctx);
  if (caller.kind === "internal") return caller;
  if (caller.kind !== "member" || caller.userId !== userId) {
    throw new ConnectError("you can only act on your own account", Code.PermissionDenied);
  }
  return caller;
}

/** Only other Marquee services. */
export function requireInternal(ctx: HandlerContext): Caller {
  const caller = callerOf(ctx);
  if (caller.kind !== "internal") throw new ConnectError("internal callers only", Code.PermissionDenied);
  return caller;
}

/** The role of Marquee's operators: granted by configuration of the user service, never by a member. */
export const OPERATOR_ROLE = "operator";

/** Internal services, or members holding the operator role. */
export function requireOperator(ctx: HandlerContext): Caller {
  const caller = requireMember(ctx);
  if (caller.kind === "internal") return caller;
  if (caller.kind !== "member" || !caller.roles?.includes(OPERATOR_ROLE)) {
    throw new ConnectError("only Marquee operators can see this", Code.PermissionDenied);
  }
  return caller;
}

/** Internal services, or partners holding the scope. */
export function requireScope(ctx: HandlerContext, scope: string): Caller {
  const caller = callerOf(ctx);
  if (caller.kind === "internal") return caller;
  if (caller.kind === "anonymous") throw new ConnectError("an API key is required", Code.Unauthenticated);
  if (caller.kind !== "partner" || !caller.scopes.includes(scope)) {
    throw new ConnectError(`the "${scope}" scope is required`, Code.PermissionDenied);
  }
  return caller;
}

/**
 * The caller must have selected this profile (its access token is scoped to
 * it), or be an internal service. Members act on one profile at a time, which
 * needs no lookup to enforce.
 */
export function requireProfile(ctx: HandlerContext, profileId: string): Caller {
  const caller = requireMember(ctx);
  if (caller.kind === "internal") return caller;
  if (caller.kind !== "member" || caller.profileId !== profileId) {
    throw new ConnectError(
      "select this profile first; you can only act on the profile you selected",
      Code.PermissionDenied,
    );
  }
  return caller;
}
