import { SERVICE_PORTS, type Server, startService } from "@marquee/kit";
import { RecommendationService } from "@marquee/sdk/marquee/recommendation/v1/recommendation_service_pb";
import { recommendationService } from "./service.js";

/** Wires the recommendation service from the environment and serves it. */
export function startRecommendationService(
  env: Record<string, string | undefined> = process.env,
): Promise<Server> {
  return startService(
    {
      name: "recommendation",
      services: [RecommendationService],
      defaultPort: SERVICE_PORTS.recommendation,
      routes: (r) => r.service(RecommendationService, recommendationService()),
    },
    env,
  );
}
