import { SERVICE_PORTS, type Server, startService } from "@marquee/kit";
import { StreamingService } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import { streamingService } from "./service.js";

/** Wires the streaming service from the environment and serves it. */
export function startStreamingService(
  env: Record<string, string | undefined> = process.env,
): Promise<Server> {
  return startService(
    {
      name: "streaming",
      services: [StreamingService],
      defaultPort: SERVICE_PORTS.streaming,
      routes: (r) => r.service(StreamingService, streamingService()),
    },
    env,
  );
}
