import { notYetImplemented } from "@marquee/kit";
import { RecommendationService } from "@marquee/sdk/marquee/recommendation/v1/recommendation_service_pb";

/** The RecommendationService handlers; built in issue #8. */
export function recommendationService() {
  return notYetImplemented(RecommendationService, "issue #8");
}
