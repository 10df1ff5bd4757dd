import type { DescService } from "@bufbuild/protobuf";
import { type CallOptions, type Client, Code, ConnectError } from "@connectrpc/connect";
import { createServiceClient } from "@marquee/kit";
import { linkFailure, type Replica, type Replicas } from "./replicas.js";

type AnyCall = (req: unknown, opts?: CallOptions) => unknown;

/**
 * A client of a service whose every call goes to the next of its replicas
 * (a kit gRPC client per replica, each holding its own HTTP/2 connection). A
 * call refused a connection (nothing reached the replica) is sent once more
 * to another; one whose connection broke under it is not (the replica may
 * have acted on it) and fails Unavailable. Either way the replica is passed
 * over for a while. A server stream is sent again only if no message came.
 */
export function balancedClient<S extends DescService>(service: S, replicas: Replicas): Client<S> {
  const clients = new Map(replicas.all.map((r) => [r.url, createServiceClient(service, r.url)]));
  const name = service.typeName.split(".")[1];
  /** After a failed attempt: the replica to try once more, or the error for the caller. */
  const afterFailure = (replica: Replica, err: unknown, opts: CallOptions | undefined, mayRetry: boolean) => {
    // A connection the replica closed cancels its streams (RST_STREAM CANCEL, no Node error): a call
    // cancelled with no answer from the replica (no response headers) though the caller did not cancel it lost its link.
    const ce = ConnectError.from(err);
    const cancelledUnasked =
      ce.code === Code.Canceled && !ce.metadata.has("content-type") && opts?.signal?.aborted !== true;
    const link = linkFailure(err) ?? (cancelledUnasked ? "broken" : undefined);
    if (link === undefined) return { err };
    replicas.down(replica);
    const again = mayRetry && link === "never sent" ? replicas.other(replica) : undefined;
    if (again !== undefined) return { again };
    return { err: new ConnectError(`the ${name} service is unavailable; try again`, Code.Unavailable) };
  };
  const client: Record<string, AnyCall> = {};
  for (const method of service.methods) {
    const on = (replica: Replica) =>
      (clients.get(replica.url) as unknown as Record<string, AnyCall>)[method.localName] as AnyCall;
    if (method.methodKind === "unary")
      client[method.localName] = async (req, opts) => {
        let replica = replicas.pick();
        for (let retried = false; ; retried = true) {
          try {
            return await on(replica)(req, opts);
          } catch (err) {
            const next = afterFailure(replica, err, opts, !retried);
            if (next.again === undefined) throw next.err;
            replica = next.again;
          }
        }
      };
    else if (method.methodKind === "server_streaming")
      client[method.localName] = async function* (req, opts) {
        let replica = replicas.pick();
        let received = false;
        for (let retried = false; ; retried = true) {
          try {
            for await (const message of on(replica)(req, opts) as AsyncIterable<unknown>) {
              received = true;
              yield message;
            }
            return;
          } catch (err) {
            const next = afterFailure(replica, err, opts, !retried && !received);
            if (next.again === undefined) throw next.err;
            replica = next.again;
          }
        }
      };
    // No Marquee contract streams from the client: the forwarder refuses such a method itself.
  }
  return client as unknown as Client<S>;
}
