import type { CallOptions } from "@connectrpc/connect";
import { CALLER_HEADER, encodeCaller } from "@marquee/kit";

/** Options for a call the streaming service makes on its own behalf (background ingest, demo titles). */
export function asStreaming(timeoutMs = 30_000): CallOptions {
  return {
    timeoutMs,
    headers: { [CALLER_HEADER]: encodeCaller({ kind: "internal", service: "streaming", scopes: [] }) },
  };
}
