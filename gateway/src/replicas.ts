/** How long a replica that refused or dropped a connection is passed over before it is tried again. */
export const REPLICA_DOWN_MS = 2_000;

/** One address of an upstream. */
export interface Replica {
  readonly url: string;
  /** Until when (epoch ms) calls pass it over: it refused or dropped a connection. */
  downUntil: number;
}

/**
 * The replicas of one upstream, each call given the next healthy one in turn
 * (round-robin per call, not per connection: the gateway holds a connection to
 * every replica). A replica that refused or reset a connection is passed over
 * for a short while, then tried again with the next call that reaches it; with
 * every replica passed over, the one whose pause ends first is tried rather
 * than none. One set per upstream serves every path of the gateway (generic
 * forwarder, byte pass-through, media), so what one learns the others use.
 */
export class Replicas {
  readonly all: readonly Replica[];
  #next = 0;

  constructor(
    urls: readonly string[],
    private readonly downMs = REPLICA_DOWN_MS,
  ) {
    this.all = urls.map((url) => ({ url, downUntil: 0 }));
  }

  /** The replica for the next call. */
  pick(): Replica {
    return this.#choose(undefined) as Replica;
  }

  /** Another replica than `tried`, for a call sent again; undefined with only one. */
  other(tried: Replica): Replica | undefined {
    return this.#choose(tried);
  }

  /** It refused or dropped a connection: calls go to the others for a while. */
  down(replica: Replica): void {
    replica.downUntil = Date.now() + this.downMs;
  }

  #choose(not: Replica | undefined): Replica | undefined {
    const now = Date.now();
    const n = this.all.length;
    let soonest: Replica | undefined;
    for (let k = 0; k < n; k++) {
      const i = (this.#next + k) % n;
      const replica = this.all[i] as Replica;
      if (replica === not) continue;
      if (replica.downUntil <= now) {
        this.#next = (i + 1) % n;
        return replica;
      }
      if (soonest === undefined || replica.downUntil < soonest.downUntil) soonest = replica;
    }
    return soonest;
  }
}

/** Node error codes of a connection that was never made, or of a request no connection took: nothing reached the upstream. */
const NEVER_SENT = new Set([
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ERR_HTTP2_INVALID_SESSION",
  "ERR_HTTP2_GOAWAY_SESSION",
]);

/** Node error codes of a connection that broke under a call (the call may have reached the upstream). */
const BROKEN = new Set([
  "ECONNRESET",
  "EPIPE",
  "ERR_HTTP2_SESSION_ERROR",
  "ERR_HTTP2_STREAM_ERROR",
  "ERR_STREAM_PREMATURE_CLOSE",
]);

/**
 * What a failed call's error says of the link to the replica: "never sent"
 * (no connection, so nothing reached it: safe to send elsewhere), "broken"
 * (the connection dropped under the call: the replica is down, but it may have
 * acted on the call), or undefined (the replica answered, or the call was
 * cancelled or ran out of time).
 */
export function linkFailure(err: unknown): "never sent" | "broken" | undefined {
  const codes: unknown[] = [];
  // A ConnectError keeps the Node error it came from as its cause, which may have a cause in turn.
  for (let e = err; e instanceof Error && codes.length < 8; e = e.cause)
    codes.push((e as { code?: unknown }).code);
  if (codes.some((c) => typeof c === "string" && NEVER_SENT.has(c))) return "never sent";
  if (codes.some((c) => typeof c === "string" && BROKEN.has(c))) return "broken";
  return undefined;
}
