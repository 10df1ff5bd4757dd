import type { DescService } from "@bufbuild/protobuf";
import { envs, SERVICE_PORTS, type ServiceName } from "@marquee/kit";
import { AccountService } from "@marquee/sdk/marquee/account/v1/account_service_pb";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { FeedbackService } from "@marquee/sdk/marquee/feedback/v1/feedback_service_pb";
import { RecommendationService } from "@marquee/sdk/marquee/recommendation/v1/recommendation_service_pb";
import { StreamingService } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import { UserService } from "@marquee/sdk/marquee/user/v1/user_service_pb";
import { Replicas } from "./replicas.js";

/** Every public service and the process that owns it. */
export const UPSTREAM_SERVICES: Record<ServiceName, DescService> = {
  user: UserService,
  content: ContentService,
  streaming: StreamingService,
  recommendation: RecommendationService,
  account: AccountService,
  feedback: FeedbackService,
};

/**
 * MARQUEE_<NAME>_URL for each upstream, defaulting to the service's port on
 * loopback: one URL, or its replicas' comma-separated, which the gateway
 * balances per call.
 */
export const upstreamUrlVars = Object.fromEntries(
  Object.entries(SERVICE_PORTS).map(([name, port]) => [
    `MARQUEE_${name.toUpperCase()}_URL`,
    envs.urls(`http://127.0.0.1:${port}`),
  ]),
);

/** Each upstream's replicas as the parsed configuration holds them. */
export function upstreamReplicas(config: Record<string, unknown>): Map<ServiceName, Replicas> {
  return new Map(
    (Object.keys(SERVICE_PORTS) as ServiceName[]).map((name) => [
      name,
      new Replicas(config[`MARQUEE_${name.toUpperCase()}_URL`] as string[]),
    ]),
  );
}
