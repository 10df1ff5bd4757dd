import { notYetImplemented } from "@marquee/kit";
import { FeedbackService } from "@marquee/sdk/marquee/feedback/v1/feedback_service_pb";

/** The FeedbackService handlers; built in issue #8. */
export function feedbackService() {
  return notYetImplemented(FeedbackService, "issue #8");
}
