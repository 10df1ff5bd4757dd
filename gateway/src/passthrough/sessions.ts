import http2 from "node:http2";

/**
 * One HTTP/2 session per upstream replica, made on first use and made again
 * once it closes or the replica sends GOAWAY. A call waits for its session to
 * connect before it sends anything, so a replica that refuses the connection
 * has been sent nothing and the call can go to another.
 */
export class SessionPool {
  readonly #sessions = new Map<string, { session: http2.ClientHttp2Session; ready: Promise<unknown> }>();

  /** The replica's session once connected; rejects when the connection cannot be made. */
  async connected(url: string): Promise<http2.ClientHttp2Session> {
    const held = this.#sessions.get(url);
    // A session closing (GOAWAY, its socket gone) takes no new streams, even before its 'close' event.
    if (held !== undefined && !held.session.closed && !held.session.destroyed) {
      await held.ready;
      return held.session;
    }
    const session = http2.connect(url);
    const ready = new Promise((resolve, reject) => {
      session.once("connect", resolve);
      session.once("error", reject);
      session.once("close", () => reject(new Error(`the connection to ${url} closed`)));
    });
    const entry = { session, ready };
    const forget = () => {
      if (this.#sessions.get(url) === entry) this.#sessions.delete(url);
    };
    // Errors surface on the streams (and above, before connecting); an unheard 'error' would crash the process.
    session.on("error", forget);
    session.once("close", forget);
    session.once("goaway", forget);
    this.#sessions.set(url, entry);
    await ready;
    return session;
  }

  close(): void {
    for (const { session } of this.#sessions.values()) session.close();
    this.#sessions.clear();
  }
}
