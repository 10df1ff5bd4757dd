import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A loopback TCP balancer in front of a service's replicas, as a cloud load
 * balancer or a Kubernetes Service would be: each new connection goes to the
 * next replica in turn, and one whose port refuses is skipped for the next.
 * It balances connections, not calls: a caller holding one HTTP/2 session (the
 * gateway's gRPC client does) stays on one replica until that connection ends,
 * then reconnects to a live one.
 */
export interface Balancer {
  readonly port: number;
  /** Connections each replica has taken. */
  readonly counts: number[];
  close(): Promise<void>;
}

export async function startBalancer(
  host: string,
  port: number,
  backends: readonly { host: string; port: number }[],
): Promise<Balancer> {
  let next = 0;
  const counts = backends.map(() => 0);
  const open = new Set<Socket>();
  const dial = (client: Socket, tried: number) => {
    if (tried >= backends.length) {
      client.destroy();
      return;
    }
    const i = next++ % backends.length;
    const target = backends[i] as { host: string; port: number };
    const upstream = connect(target.port, target.host);
    open.add(upstream);
    upstream.once("close", () => open.delete(upstream));
    upstream.once("error", () => {
      // Refused before anything flowed: this replica is down, try the next one.
      if (upstream.bytesRead === 0 && upstream.bytesWritten === 0 && !client.destroyed) {
        dial(client, tried + 1);
      } else client.destroy();
    });
    upstream.once("connect", () => {
      counts[i] = (counts[i] ?? 0) + 1;
      client.pipe(upstream).pipe(client);
      client.once("error", () => upstream.destroy());
      client.once("close", () => upstream.destroy());
      upstream.once("close", () => client.destroy());
      client.resume();
    });
  };
  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    open.add(client);
    client.once("close", () => open.delete(client));
    client.on("error", () => client.destroy());
    dial(client, 0);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address !== null ? address.port : port,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
