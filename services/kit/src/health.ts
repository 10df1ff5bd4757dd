import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import {
  type Health,
  HealthCheckResponseSchema,
  HealthCheckResponse_ServingStatus as Status,
} from "@marquee/sdk/grpc/health/v1/health_pb";

export { Status as ServingStatus };

/**
 * Serving status per service name ("" is the whole server), with watchers
 * told of every change, as the gRPC health protocol asks.
 */
export class HealthState {
  readonly #status = new Map<string, Status>();
  readonly #watchers = new Set<() => void>();
  #draining = false;

  constructor(serviceNames: string[]) {
    for (const name of ["", ...serviceNames]) this.#status.set(name, Status.SERVING);
  }

  get(service: string): Status | undefined {
    return this.#status.get(service);
  }

  /** True once the server is shutting down: watchers get the last status and their stream ends. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Marks every service NOT_SERVING for good: the server is shutting down. */
  drain(): void {
    this.#draining = true;
    this.setAll(Status.NOT_SERVING);
  }

  /** Sets every known service to one status. */
  setAll(status: Status): void {
    for (const name of this.#status.keys()) this.#status.set(name, status);
    for (const wake of this.#watchers) wake();
  }

  changed(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.#watchers.delete(wake);
        signal.removeEventListener("abort", wake);
        resolve();
      };
      this.#watchers.add(wake);
      signal.addEventListener("abort", wake, { once: true });
    });
  }
}

export function healthService(state: HealthState): ServiceImpl<typeof Health> {
  return {
    check(req) {
      const status = state.get(req.service);
      if (status === undefined) throw new ConnectError(`unknown service "${req.service}"`, Code.NotFound);
      return create(HealthCheckResponseSchema, { status });
    },
    async *watch(req, ctx) {
      let last: Status | undefined;
      while (!ctx.signal.aborted) {
        const status = state.get(req.service) ?? Status.SERVICE_UNKNOWN;
        if (status !== last) yield create(HealthCheckResponseSchema, { status });
        last = status;
        if (state.draining) return;
        await state.changed(ctx.signal);
      }
    },
  };
}
