import { randomBytes, randomUUID } from "node:crypto";
import { type Client, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { AccountService, BillingCycle, PlanTier } from "@marquee/sdk/marquee/account/v1/account_service_pb";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { FeedbackService } from "@marquee/sdk/marquee/feedback/v1/feedback_service_pb";
import { StreamingService } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import { UserService } from "@marquee/sdk/marquee/user/v1/user_service_pb";

export interface Api {
  users: Client<typeof UserService>;
  account: Client<typeof AccountService>;
  content: Client<typeof ContentService>;
  feedback: Client<typeof FeedbackService>;
  streaming: Client<typeof StreamingService>;
}

/** The public API through the gateway, over gRPC, as a partner app or the player would call it. */
export function gatewayApi(gatewayUrl: string): Api {
  const transport = createGrpcTransport({ baseUrl: gatewayUrl });
  return {
    users: createClient(UserService, transport),
    account: createClient(AccountService, transport),
    content: createClient(ContentService, transport),
    feedback: createClient(FeedbackService, transport),
    streaming: createClient(StreamingService, transport),
  };
}

/** A viewing session: one profile watching one title, sending heartbeat reports. */
export interface Viewer {
  email: string;
  profileId: string;
  contentId: string;
  sessionId: string;
  headers: Record<string, string>;
  /** Next reading's sequence number. */
  next: number;
  /** Position of the newest reading the platform acknowledged (0: none yet). */
  ackedPositionMs: number;
  acked: number;
}

export interface Member {
  email: string;
  userId: string;
  viewers: Viewer[];
}

export const PASSWORD = "chaos run password 123";
const opts = (headers?: Record<string, string>) => ({ headers, timeoutMs: 15_000 });

/** Registers, logs in and subscribes a member (Premium: four streams), then starts a session per profile. */
export async function makeMember(api: Api, i: number, titles: string[], profiles: number): Promise<Member> {
  const email = `chaos.${i}.${randomBytes(3).toString("hex")}@example.com`;
  const { user } = await api.users.registerUser(
    { email, password: PASSWORD, name: `Chaos ${i}`, dateOfBirth: "1990-01-01", country: "NO" },
    opts(),
  );
  const userId = user?.userId ?? "";
  const { tokens } = await api.users.login({ email, password: PASSWORD, deviceName: "chaos" }, opts());
  const bearer = { authorization: `Bearer ${tokens?.accessToken}` };
  await api.account.createSubscription(
    {
      userId,
      tier: PlanTier.PREMIUM,
      billingCycle: BillingCycle.MONTHLY,
      paymentToken: "tok_chaos_ok",
      idempotencyKey: randomUUID(),
    },
    opts(bearer),
  );
  const viewers: Viewer[] = [];
  for (let d = 0; d < profiles; d++) {
    const { profile } = await api.users.createProfile({ userId, name: `Viewer ${d}` }, opts(bearer));
    const profileId = profile?.profileId ?? "";
    const selected = await api.users.selectProfile({ profileId }, opts(bearer));
    const headers = { authorization: `Bearer ${selected.accessToken}` };
    const contentId = titles[(i * profiles + d) % titles.length] as string;
    const { sessionId } = await api.streaming.streamContent(
      { profileId, contentId, deviceId: `device-${d}` },
      opts(headers),
    );
    viewers.push({ email, profileId, contentId, sessionId, headers, next: 1, ackedPositionMs: 0, acked: 0 });
  }
  return { email, userId, viewers };
}
