import { type Client, createClient, type Transport } from "@connectrpc/connect";
import { AccountService } from "../src/marquee/account/v1/account_service_pb.js";
import { ContentService } from "../src/marquee/content/v1/content_service_pb.js";
import { FeedbackService } from "../src/marquee/feedback/v1/feedback_service_pb.js";
import { RecommendationService } from "../src/marquee/recommendation/v1/recommendation_service_pb.js";
import { StreamingService } from "../src/marquee/streaming/v1/streaming_service_pb.js";
import { UserService } from "../src/marquee/user/v1/user_service_pb.js";

/** Typed clients of the six public Marquee services, sharing one transport. */
export interface MarqueeClients {
  user: Client<typeof UserService>;
  content: Client<typeof ContentService>;
  streaming: Client<typeof StreamingService>;
  recommendation: Client<typeof RecommendationService>;
  account: Client<typeof AccountService>;
  feedback: Client<typeof FeedbackService>;
}

/** The six public services by their client name. */
export const MARQUEE_SERVICES = {
  user: UserService,
  content: ContentService,
  streaming: StreamingService,
  recommendation: RecommendationService,
  account: AccountService,
  feedback: FeedbackService,
} as const;

/**
 * The six clients over any Connect transport, for callers that build their
 * own (createMarquee and createMarqueeWeb do this for you).
 */
export function createMarqueeClients(transport: Transport): MarqueeClients {
  return {
    user: createClient(UserService, transport),
    content: createClient(ContentService, transport),
    streaming: createClient(StreamingService, transport),
    recommendation: createClient(RecommendationService, transport),
    account: createClient(AccountService, transport),
    feedback: createClient(FeedbackService, transport),
  };
}
