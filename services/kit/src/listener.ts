import http, { type IncomingMessage, type ServerResponse } from "node:http";
import http2, { type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from "node:http2";
import net, { type Socket } from "node:net";

export type RequestHandler<R = void> = (
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
) => R;

/** The first bytes a client speaking HTTP/2 with prior knowledge sends (RFC 9113 §3.4). */
const H2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/**
 * One cleartext port that speaks HTTP/2 (gRPC needs it) and HTTP/1.1 (browsers
 * and curl): Node's cleartext HTTP/2 server has no HTTP/1 fallback, so we read
 * the first bytes of each connection and hand it to the server that speaks it.
 */
export class DualProtocolListener {
  readonly #tcp: net.Server;
  readonly #h1: http.Server;
  readonly #h2: http2.Http2Server;
  readonly #sockets = new Set<Socket>();
  readonly #sessions = new Set<Http2Session>();
  readonly #unrouted = new Set<Socket>();
  /** HTTP/1.1 connections, with how many of their requests are unanswered (0: idle). */
  readonly #h1Sockets = new Map<Socket, number>();
  #draining = false;
  #allClosed: (() => void) | undefined;

  constructor(handler: RequestHandler) {
    this.#h1 = http.createServer({ keepAliveTimeout: 5_000 }, handler);
    // http.Server tracks idle connections only when it listens itself (closeIdleConnections does
    // nothing here): count each connection's unanswered requests, so a drain closes the idle ones.
    this.#h1.on("request", (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket;
      this.#h1Sockets.set(socket, (this.#h1Sockets.get(socket) ?? 0) + 1);
      res.once("close", () => {
        const open = (this.#h1Sockets.get(socket) ?? 1) - 1;
        if (this.#h1Sockets.has(socket)) this.#h1Sockets.set(socket, open);
        if (open === 0 && this.#draining) socket.destroySoon();
      });
    });
    this.#h2 = http2.createServer({}, handler);
    this.#h2.on("session", (session) => {
      this.#sessions.add(session);
      session.once("close", () => this.#sessions.delete(session));
    });
    // Small RPC frames must not wait for Nagle; http.Server sets this itself, our raw listener must too.
    this.#tcp = net.createServer({ noDelay: true }, (socket) => this.#route(socket));
  }

  #route(socket: Socket): void {
    this.#sockets.add(socket);
    this.#unrouted.add(socket);
    socket.once("close", () => {
      this.#sockets.delete(socket);
      this.#unrouted.delete(socket);
      this.#h1Sockets.delete(socket);
      if (this.#sockets.size === 0) this.#allClosed?.();
    });
    socket.once("error", () => socket.destroy());
    let seen = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      const prefix = H2_PREFACE.subarray(0, Math.min(seen.length, H2_PREFACE.length));
      const isH2 = seen.subarray(0, prefix.length).equals(prefix);
      if (isH2 && seen.length < H2_PREFACE.length) return;
      socket.off("data", onData);
      this.#unrouted.delete(socket);
      socket.pause();
      socket.unshift(seen);
      if (isH2) {
        // The HTTP/2 session reads the buffered preface itself and then takes the socket's handle;
        // resuming the JS stream here would drain those bytes into nowhere.
        this.#h2.emit("connection", socket);
      } else {
        this.#h1Sockets.set(socket, 0);
        this.#h1.emit("connection", socket);
        socket.resume();
      }
    };
    socket.on("data", onData);
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#tcp.once("error", reject);
      this.#tcp.listen(port, host, () => {
        this.#tcp.off("error", reject);
        resolve((this.#tcp.address() as net.AddressInfo).port);
      });
    });
  }

  /** Stops accepting connections and asks open ones to finish (GOAWAY, Connection: close). */
  stopAccepting(): void {
    this.#tcp.close();
    for (const socket of this.#unrouted) socket.destroy();
    for (const session of this.#sessions) session.close();
    this.#draining = true;
    this.#h1.on("request", (_req, res: ServerResponse) => res.setHeader("connection", "close"));
    this.#closeIdleH1();
  }

  #closeIdleH1(): void {
    for (const [socket, open] of this.#h1Sockets) if (open === 0) socket.destroySoon();
  }

  /**
   * Resolves when every connection has closed. HTTP/2 sessions close by
   * themselves once their last stream has been written out; HTTP/1.1
   * keep-alive connections are closed here as they fall idle.
   */
  closed(): Promise<void> {
    this.#closeIdleH1();
    if (this.#sockets.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#allClosed = resolve;
    });
  }

  /** Ends whatever is still open. */
  destroy(): void {
    for (const session of this.#sessions) session.destroy();
    for (const socket of this.#sockets) socket.destroy();
  }
}
