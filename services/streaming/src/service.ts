import type { ServiceImpl } from "@connectrpc/connect";
import type { StreamingService } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import { type HistoryDeps, historyHandlers } from "./history/handlers.js";
import { type IngestDeps, ingestHandlers } from "./ingest/handlers.js";
import { type PlaybackDeps, playbackHandlers } from "./playback/handlers.js";
import { type QoeDeps, qoeHandlers } from "./qoe/handlers.js";

/** What the slices need, together; `now` defaults to the wall clock. */
export type StreamingDeps = Omit<PlaybackDeps & HistoryDeps & IngestDeps & QoeDeps, "now"> & {
  now?: () => number;
};

/** The StreamingService handlers, composed from the playback, history, ingest and QoE slices. */
export function streamingService(deps: StreamingDeps): ServiceImpl<typeof StreamingService> {
  const shared = { ...deps, now: deps.now ?? Date.now };
  return {
    ...playbackHandlers(shared),
    ...historyHandlers(shared),
    ...ingestHandlers(shared),
    ...qoeHandlers(shared),
  };
}
