import { Code, ConnectError, createContextKey } from "@connectrpc/connect";
import { z } from "zod";

/**
 * Who makes a call. The gateway authenticates the client and states the caller
 * in the x-marquee-caller header; services trust that header because only the
 * gateway (and other services) can reach them (see README, "Trust boundary").
 */
const callerSchema = z.object({
  kind: z.enum(["anonymous", "member", "internal", "partner"]),
  userId: z.string().optional(),
  profileId: z.string().optional(),
  maturityCap: z.number().int().min(0).optional(),
  partnerId: z.string().optional(),
  /** For kind "internal": the calling service, e.g. "streaming". */
  service: z.string().optional(),
  scopes: z.array(z.string()).default([]),
  /** For kind "member": roles beyond membership, from the access token (e.g. "operator"). */
  roles: z.array(z.string()).optional(),
});

export type Caller = z.infer<typeof callerSchema>;

export const ANONYMOUS: Caller = Object.freeze({ kind: "anonymous", scopes: [] }) as Caller;

export const CALLER_HEADER = "x-marquee-caller";

export const callerKey = createContextKey<Caller>(ANONYMOUS, { description: "the authenticated caller" });

export function encodeCaller(caller: Caller): string {
  return Buffer.from(JSON.stringify(caller)).toString("base64url");
}

export function decodeCaller(header: string | null): Caller {
  if (header === null || header === "") return ANONYMOUS;
  try {
    return callerSchema.parse(JSON.parse(Buffer.from(header, "base64url").toString("utf8")));
  } catch {
    throw new ConnectError(`malformed ${CALLER_HEADER} header`, Code.Unauthenticated);
  }
}
