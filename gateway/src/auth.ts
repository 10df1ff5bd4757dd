import { Code, ConnectError, createContextKey, type Interceptor } from "@connectrpc/connect";
import { ANONYMOUS, type Caller, callerKey, clientAddressKey } from "@marquee/kit";
import { type Access, accessOf } from "./access-table.js";
import type { AccessTokenVerifier } from "./access-tokens.js";
import { hashApiKey, type PartnerKey } from "./partner-keys.js";

/** The client's network address, passed on to services (login throttling). */
/** The session of the presented access token, passed on to services (SelectProfile). */
export const sessionIdKey = createContextKey<string>("", { description: "session of the access token" });

export interface AuthOptions {
  verifier: AccessTokenVerifier;
  partnerKeys: Map<string, PartnerKey>;
  /** Take the client address from X-Forwarded-For (only behind a proxy that sets it). */
  trustForwardedFor: boolean;
}

interface Authenticated {
  caller: Caller;
  sessionId: string;
}

const credentialsHelp =
  "sign in and send Authorization: Bearer <access token>, or send a partner API key in x-api-key";

/**
 * Authenticates the client (member access token or partner API key) and
 * applies the access table before anything is forwarded: Unauthenticated
 * when credentials are missing or bad, PermissionDenied when valid
 * credentials do not open this RPC. Sets the kit Caller the forwarder passes on.
 */
export function authInterceptor(opts: AuthOptions): Interceptor {
  async function authenticate(header: Headers): Promise<Authenticated | undefined> {
    const authorization = header.get("authorization");
    if (authorization !== null && authorization !== "") {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (!match)
        throw new ConnectError('Authorization must be "Bearer <access token>"', Code.Unauthenticated);
      return opts.verifier.verify(match[1] as string);
    }
    const apiKey = header.get("x-api-key");
    if (apiKey !== null && apiKey !== "") {
      const partner = opts.partnerKeys.get(hashApiKey(apiKey));
      if (partner === undefined) throw new ConnectError("the API key is not valid", Code.Unauthenticated);
      return {
        caller: { kind: "partner", partnerId: partner.partnerId, scopes: [...partner.scopes] },
        sessionId: "",
      };
    }
    return undefined;
  }

  function authorize(rpc: string, access: Access, who: Authenticated | undefined): void {
    if (access.kind === "public") return;
    if (access.kind === "internal") {
      throw new ConnectError(
        `${rpc} is internal to Marquee and cannot be called from outside`,
        Code.PermissionDenied,
      );
    }
    if (who === undefined)
      throw new ConnectError(`${rpc} needs credentials: ${credentialsHelp}`, Code.Unauthenticated);
    const { caller } = who;
    if (caller.kind === "member") {
      if (access.member) return;
      throw new ConnectError(`${rpc} is for partners, not members`, Code.PermissionDenied);
    }
    if (caller.kind === "partner" && access.partnerScopes !== undefined) {
      const missing = access.partnerScopes.filter((s) => !caller.scopes.includes(s));
      if (missing.length === 0) return;
      throw new ConnectError(
        `${rpc} needs the API key scope(s) ${missing.join(", ")}`,
        Code.PermissionDenied,
      );
    }
    throw new ConnectError(`${rpc} is for signed-in members, not partner API keys`, Code.PermissionDenied);
  }

  return (next) => async (req) => {
    const rpc = `${req.service.typeName}/${req.method.name}`;
    const access = accessOf(req.service.typeName, req.method.name);
    if (access === undefined) {
      throw new ConnectError(`${rpc} is not open to clients of this gateway`, Code.PermissionDenied);
    }
    let who: Authenticated | undefined;
    if (access.kind === "public") {
      // Credentials are optional here; a stale token must not stop a refresh or a login.
      who = await authenticate(req.header).catch(() => undefined);
    } else if (access.kind !== "internal") {
      who = await authenticate(req.header);
    }
    authorize(rpc, access, who);
    req.contextValues.set(callerKey, who?.caller ?? ANONYMOUS);
    req.contextValues.set(sessionIdKey, who?.sessionId ?? "");
    if (opts.trustForwardedFor) {
      const first = req.header.get("x-forwarded-for")?.split(",")[0]?.trim() ?? "";
      if (/^[0-9A-Fa-f:.]{2,45}$/.test(first)) req.contextValues.set(clientAddressKey, first);
    }
    return next(req);
  };
}
