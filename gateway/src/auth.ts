import { Code, ConnectError, createContextKey, type Interceptor } from "@connectrpc/connect";
import { ANONYMOUS, type Caller, callerKey, clientAddressKey, OPERATOR_ROLE } from "@marquee/kit";
import { type Access, accessOf } from "./access-table.js";
import type { AccessTokenVerifier } from "./access-tokens.js";
import { hashApiKey, type PartnerKey } from "./partner-keys.js";

/** The session of the presented access token, passed on to services (SelectProfile). */
export const sessionIdKey = createContextKey<string>("", { description: "session of the access token" });

/** The member's country from the presented access token, passed on to services (trending). */
export const countryKey = createContextKey<string>("", { description: "country of the access token" });

export interface AuthOptions {
  verifier: AccessTokenVerifier;
  partnerKeys: Map<string, PartnerKey>;
  /** Take the client address from X-Forwarded-For (only behind a proxy that sets it). */
  trustForwardedFor: boolean;
}

export interface Authenticated {
  caller: Caller;
  sessionId: string;
  /** "" unless a member's access token states it. */
  country: string;
}

const credentialsHelp =
  "sign in and send Authorization: Bearer <access token>, or send a partner API key in x-api-key";

/** A request header by lower-case name, or null. */
export type HeaderGetter = (name: string) => string | null;

/**
 * Authenticates the client (member access token or partner API key) and
 * applies the access table before anything is forwarded: Unauthenticated
 * when credentials are missing or bad, PermissionDenied when valid
 * credentials do not open this RPC. Both ways through the gateway (the
 * generic forwarder and the gRPC pass-through) admit calls with it.
 */
export function gatewayAuth(opts: AuthOptions) {
  async function authenticate(header: HeaderGetter): Promise<Authenticated | undefined> {
    const authorization = header("authorization");
    if (authorization !== null && authorization !== "") {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (!match)
        throw new ConnectError('Authorization must be "Bearer <access token>"', Code.Unauthenticated);
      return opts.verifier.verify(match[1] as string);
    }
    const apiKey = header("x-api-key");
    if (apiKey !== null && apiKey !== "") {
      const partner = opts.partnerKeys.get(hashApiKey(apiKey));
      if (partner === undefined) throw new ConnectError("the API key is not valid", Code.Unauthenticated);
      return {
        caller: { kind: "partner", partnerId: partner.partnerId, scopes: [...partner.scopes] },
        sessionId: "",
        country: "",
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
    if (access.kind === "operator") {
      if (caller.kind === "member" && caller.roles?.includes(OPERATOR_ROLE)) return;
      throw new ConnectError(
        `${rpc} is for Marquee operators; an administrator adds your e-mail to MARQUEE_OPERATOR_EMAILS, then sign in again`,
        Code.PermissionDenied,
      );
    }
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

  return {
    /** Who makes this call, once the access table lets them; throws the ConnectError saying why not. */
    async admit(service: string, method: string, header: HeaderGetter): Promise<Authenticated> {
      const rpc = `${service}/${method}`;
      const access = accessOf(service, method);
      if (access === undefined) {
        throw new ConnectError(`${rpc} is not open to clients of this gateway`, Code.PermissionDenied);
      }
      let who: Authenticated | undefined;
      if (access.kind === "public") {
        // Credentials are optional here; a stale token must not stop a refresh or a login.
        who = await authenticate(header).catch(() => undefined);
      } else if (access.kind !== "internal") {
        who = await authenticate(header);
      }
      authorize(rpc, access, who);
      return who ?? { caller: ANONYMOUS, sessionId: "", country: "" };
    },

    /** The client address from X-Forwarded-For when trusted and well-formed, else undefined. */
    forwardedFor(header: HeaderGetter): string | undefined {
      if (!opts.trustForwardedFor) return undefined;
      const first = header("x-forwarded-for")?.split(",")[0]?.trim() ?? "";
      return /^[0-9A-Fa-f:.]{2,45}$/.test(first) ? first : undefined;
    },
  };
}

export type GatewayAuth = ReturnType<typeof gatewayAuth>;

/** The generic forwarder's side: sets the Caller, session, country and address the forwarder passes on. */
export function authInterceptor(auth: GatewayAuth): Interceptor {
  return (next) => async (req) => {
    const header = (name: string) => req.header.get(name);
    const who = await auth.admit(req.service.typeName, req.method.name, header);
    req.contextValues.set(callerKey, who.caller);
    req.contextValues.set(sessionIdKey, who.sessionId);
    req.contextValues.set(countryKey, who.country);
    const address = auth.forwardedFor(header);
    if (address !== undefined) req.contextValues.set(clientAddressKey, address);
    return next(req);
  };
}
