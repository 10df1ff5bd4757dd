import { notYetImplemented } from "@marquee/kit";
import { StreamingService } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";

/** The StreamingService handlers; built in issue #6. */
export function streamingService() {
  return notYetImplemented(StreamingService, "issue #6");
}
