import { SERVICE_PORTS, type Server, startService } from "@marquee/kit";
import { FeedbackService } from "@marquee/sdk/marquee/feedback/v1/feedback_service_pb";
import { feedbackService } from "./service.js";

/** Wires the feedback service from the environment and serves it. */
export function startFeedbackService(env: Record<string, string | undefined> = process.env): Promise<Server> {
  return startService(
    {
      name: "feedback",
      services: [FeedbackService],
      defaultPort: SERVICE_PORTS.feedback,
      routes: (r) => r.service(FeedbackService, feedbackService()),
    },
    env,
  );
}
