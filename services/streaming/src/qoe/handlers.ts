import { durationMs } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { requireOperator } from "@marquee/kit";
import type { StreamingService } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import type { QoeAggregate } from "./aggregate.js";

export interface QoeDeps {
  qoe: QoeAggregate;
  now: () => number;
}

const DEFAULT_WINDOW_MS = 15 * 60_000;

/** The operators' QoE summary, from this process's aggregate. */
export function qoeHandlers(deps: QoeDeps): Pick<ServiceImpl<typeof StreamingService>, "getQoeSummary"> {
  return {
    async getQoeSummary(req, ctx) {
      requireOperator(ctx);
      const windowMs = req.window === undefined ? DEFAULT_WINDOW_MS : durationMs(req.window);
      return deps.qoe.summary(windowMs, req.sessionLimit, deps.now());
    },
  };
}
