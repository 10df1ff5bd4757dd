import type { IncomingMessage, ServerResponse } from "node:http";
import http from "node:http";
import { linkFailure, type Replica, Replicas } from "../replicas.js";

/** Request headers worth passing to the origin (range requests and revalidation). */
const FORWARDED = [
  "range",
  "if-none-match",
  "if-modified-since",
  "if-range",
  "accept-encoding",
  "user-agent",
];

/**
 * A handler the gateway mounts in embedded mode at /media/ (the streaming
 * service's media origin) and /artwork/ (the content service's pictures):
 * forwards GET and HEAD to the origin over HTTP/1.1 keep-alive and streams
 * the answer back unchanged (status, range, caching headers). The origin
 * does every check; the proxy adds none and drops none. With several
 * replicas each request goes to the next; one that fails before its answer
 * began (GET and HEAD change nothing, so this is safe whether or not it
 * reached the origin) is sent once more, to another replica when there is one.
 */
export function createMediaProxy(
  origins: string | Replicas,
): (req: IncomingMessage, res: ServerResponse) => void {
  const replicas = typeof origins === "string" ? new Replicas([origins]) : origins;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("only GET and HEAD\n");
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of FORWARDED) {
      const value = req.headers[name];
      if (typeof value === "string") headers[name] = value;
    }
    let upstream: http.ClientRequest | undefined;
    let gone = false;
    const send = (replica: Replica, retried: boolean) => {
      const target = new URL(replica.url);
      const request = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      request.on("error", (err) => {
        if (gone) return;
        // A kept-alive socket the origin closed as it was reused is its idle timeout, not the
        // replica going down (Node's documentation advises sending such a request again).
        if (!request.reusedSocket || linkFailure(err) === "never sent") replicas.down(replica);
        if (!retried && !res.headersSent && !gone) return send(replicas.other(replica) ?? replica, true);
        if (!res.headersSent)
          res.writeHead(502, { "content-type": "text/plain" }).end("media origin unavailable\n");
        else res.destroy();
      });
      request.end();
      upstream = request;
    };
    req.on("close", () => {
      if (res.writableFinished) return;
      gone = true;
      upstream?.destroy();
    });
    send(replicas.pick(), false);
  };
}
