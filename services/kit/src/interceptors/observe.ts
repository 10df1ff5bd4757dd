import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "pino";
import { type Caller, callerKey } from "../caller.js";
import { reachedKey } from "../input/refusals.js";
import { rpcLogLevel } from "../logger.js";
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

/** What one finished call is logged and counted with. */
export interface CallRecord {
  service: string;
  method: string;
  /** Undefined for a call that succeeded. */
  err?: unknown;
  seconds: number;
  requestId: string;
  caller?: Caller;
}

/** One log line (at rpcLogLevel) and one metrics sample for a finished call. */
export function recordCall(log: Logger, metrics: RpcMetrics, r: CallRecord): void {
  const labels = { service: r.service, method: r.method };
  const failure = r.err === undefined ? undefined : ConnectError.from(r.err);
  const code = failure === undefined ? "ok" : codeName(failure.code);
  metrics.calls.inc({ ...labels, code });
  if (r.err !== undefined) metrics.errors.inc({ ...labels, code });
  metrics.latency.observe(labels, r.seconds);
  log[rpcLogLevel(failure?.code)](
    {
      rpc: `${r.service}/${r.method}`,
      code,
      ms: Math.round(r.seconds * 1e6) / 1e3,
      requestId: r.requestId,
      caller: r.caller?.kind,
      userId: r.caller?.userId,
      ...(failure === undefined ? {} : { error: failure.rawMessage }),
    },
    "rpc",
  );
}

/**
 * One log line and one metrics sample per call, taken when the last response
 * message has been produced (for streams too), with the final status code.
 * Marks the call as reached, so the calls refused before any interceptor (see
 * input/refusals.ts) are observed there instead.
 */
export function observeInterceptor(log: Logger, metrics: RpcMetrics, inFlight: InFlight): Interceptor {
  return (next) => async (req) => {
    const reached = req.contextValues.get(reachedKey);
    if (reached !== undefined) reached.reached = true;
    const started = process.hrtime.bigint();
    inFlight.enter();
    let done = false;
    const finish = (err?: unknown) => {
      if (done) return;
      done = true;
      inFlight.leave();
      recordCall(log, metrics, {
        service: req.service.typeName,
        method: req.method.name,
        err,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        requestId: req.contextValues.get(requestIdKey),
        caller: req.contextValues.get(callerKey),
      });
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
