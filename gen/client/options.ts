import type { Interceptor } from "@connectrpc/connect";
import { authInterceptor, type Credentials } from "./auth.js";
import type { Deadlines } from "./deadline.js";

/** Options common to the Node and the browser client. */
export interface MarqueeBaseOptions extends Credentials, Deadlines {
  /** The Marquee gateway, e.g. "https://api.marquee.example" or "http://127.0.0.1:8080". */
  baseUrl: string;
  /** Extra interceptors (logging, tracing, ...), run after credentials are set. */
  interceptors?: Interceptor[] | undefined;
  /** Protobuf binary (true) or JSON (false) on the wire; the transport's default if unset. */
  useBinaryFormat?: boolean | undefined;
}

/** The interceptors of a client: credentials first, then the caller's own. */
export function clientInterceptors(options: MarqueeBaseOptions): Interceptor[] {
  return [authInterceptor(options), ...(options.interceptors ?? [])];
}

/** Rejects a transport name outside `allowed` (for callers without type checking). */
export function checkTransport<T extends string>(name: T, allowed: readonly T[]): T {
  if (!allowed.includes(name)) {
    throw new TypeError(`unknown Marquee transport "${name}"; use one of: ${allowed.join(", ")}`);
  }
  return name;
}
