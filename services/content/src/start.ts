import { type Server, startService } from "@marquee/kit";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { contentService } from "./service.js";

export const DEFAULT_PORT = 7102;

/** Wires the content service from the environment and serves it. */
export function startContentService(env: Record<string, string | undefined> = process.env): Promise<Server> {
  return startService(
    {
      name: "content",
      services: [ContentService],
      defaultPort: DEFAULT_PORT,
      routes: (r) => r.service(ContentService, contentService()),
    },
    env,
  );
}
