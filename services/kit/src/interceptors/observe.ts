import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "pino";
import { callerKey } from "../caller.js";
import type { RpcMetrics } from "../metrics.js";
import { requestIdKey } from "../request-id.js";

/** Counts in-flight calls so shutdown can wait for them. */
export class InFlight {
  #count = 0;
  #idle: Array<() => void> = [];
  get count(): number {
    return this.#count;
  }
  enter(): void {
    this.#count++;
  }
  leave(): void {
    this.#count--;
    if (this.#count === 0) for (const wake of this.#idle.splice(0)) wake();
  }
  /** Resolves once no call is in flight. */
  idle(): Promise<void> {
    return this.#count === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve));
  }
}

/**
 * One log line and one metrics sample per call, taken when the last response
 * message has been produced (for streams too), with the final status code.
 */
export function observeInterceptor(log: Logger, metrics: RpcMetrics, inFlight: InFlight): Interceptor {
  return (next) => async (req) => {
    const started = process.hrtime.bigint();
    const labels = { service: req.service.typeName, method: req.method.name };
    inFlight.enter();
    let done = false;
    const finish = (err?: unknown) => {
      if (done) return;
      done = true;
      inFlight.leave();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const code = err === undefined ? "ok" : codeName(ConnectError.from(err).code);
      metrics.calls.inc({ ...labels, code });
      if (err !== undefined) metrics.errors.inc({ ...labels, code });
      metrics.latency.observe(labels, seconds);
      const caller = req.contextValues.get(callerKey);
      log[err === undefined ? "info" : "warn"](
        {
          rpc: `${labels.service}/${labels.method}`,
          code,
          ms: Math.round(seconds * 1e6) / 1e3,
          requestId: req.contextValues.get(requestIdKey),
          caller: caller.kind,
          userId: caller.userId,
          ...(err === undefined ? {} : { error: ConnectError.from(err).rawMessage }),
        },
        "rpc",
      );
    };
    try {
      const res = await next(req);
      if (!res.stream) {
        finish();
        return res;
      }
      const source = res.message;
      async function* observed() {
        try {
          yield* source;
          finish();
        } catch (err) {
          finish(err);
          throw err;
        } finally {
          finish(new ConnectError("stream abandoned", Code.Canceled));
        }
      }
      return { ...res, message: observed() };
    } catch (err) {
      finish(err);
      throw err;
    }
  };
}

/** "invalid_argument", as the Connect protocol spells codes. */
export function codeName(code: Code): string {
  return Code[code].replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
}
