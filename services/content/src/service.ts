import { notYetImplemented } from "@marquee/kit";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";

/** The ContentService handlers; built in issue #5. */
export function contentService() {
  return notYetImplemented(ContentService, "issue #5");
}
