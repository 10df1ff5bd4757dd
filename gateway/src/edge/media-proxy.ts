import type { IncomingMessage, ServerResponse } from "node:http";
import http from "node:http";

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
 * does every check; the proxy adds none and drops none.
 */
export function createMediaProxy(originUrl: string): (req: IncomingMessage, res: ServerResponse) => void {
  const target = new URL(originUrl);
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
    const send = (retried: boolean) => {
      const request = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      request.on("error", () => {
        // A kept-alive socket the origin closed as it was reused (its idle timeout): GET and HEAD
        // are safe to send again, once, on a fresh one, as Node's documentation advises.
        if (request.reusedSocket && !retried && !res.headersSent) return send(true);
        if (!res.headersSent)
          res.writeHead(502, { "content-type": "text/plain" }).end("media origin unavailable\n");
        else res.destroy();
      });
      request.end();
      upstream = request;
    };
    req.on("close", () => {
      if (!res.writableFinished) upstream?.destroy();
    });
    send(false);
  };
}
