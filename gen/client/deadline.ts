import type { Transport } from "@connectrpc/connect";

/** Deadline of a unary call that does not pass its own `timeoutMs`. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Default deadlines, in milliseconds; undefined or <= 0 means none. */
export interface Deadlines {
  /** For unary calls (default DEFAULT_TIMEOUT_MS). */
  timeoutMs?: number | undefined;
  /**
   * For server-streaming calls (such as StreamingService.WatchIngest), which
   * may rightly run long; none unless set.
   */
  streamTimeoutMs?: number | undefined;
}

/**
 * Wraps a transport so every call without its own `timeoutMs` gets the
 * default deadline of its kind. A call passing `timeoutMs: 0` runs without a
 * deadline. The deadline travels to the server (Connect-Timeout-Ms or
 * grpc-timeout), which gives up on the call when it passes.
 */
export function withDefaultDeadlines(transport: Transport, deadlines: Deadlines): Transport {
  const unaryMs = positive(deadlines.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const streamMs = positive(deadlines.streamTimeoutMs);
  return {
    unary: (method, signal, timeoutMs, header, input, contextValues) =>
      transport.unary(method, signal, timeoutMs ?? unaryMs, header, input, contextValues),
    stream: (method, signal, timeoutMs, header, input, contextValues) =>
      transport.stream(method, signal, timeoutMs ?? streamMs, header, input, contextValues),
  };
}

function positive(ms: number | undefined): number | undefined {
  return ms !== undefined && ms > 0 ? ms : undefined;
}
