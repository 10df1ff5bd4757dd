import { SERVICE_PORTS, type Server, startService } from "@marquee/kit";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { contentService } from "./service.js";

/** Wires the content service from the environment and serves it. */
export function startContentService(env: Record<string, string | undefined> = process.env): Promise<Server> {
  return startService(
    {
      name: "content",
      services: [ContentService],
      defaultPort: SERVICE_PORTS.content,
      routes: (r) => r.service(ContentService, contentService()),
    },
    env,
  );
}
