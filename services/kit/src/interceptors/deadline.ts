import type { Interceptor } from "@connectrpc/connect";

/**
 * Answers DeadlineExceeded (or Canceled) as soon as the call's signal fires,
 * even when a handler does not watch the signal itself, so a client never
 * waits past its deadline.
 */
export function deadlineInterceptor(): Interceptor {
  return (next) => async (req) => {
    if (req.signal.aborted) throw req.signal.reason;
    let onAbort: () => void = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(req.signal.reason);
      req.signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([next(req), aborted]);
    } finally {
      req.signal.removeEventListener("abort", onAbort);
    }
  };
}
