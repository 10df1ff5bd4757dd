/**
 * The same-origin front the gateway will be (issue #7 wiring): RPC paths go to
 * the gateway, /media/ to the streaming service's media origin, everything
 * else to the web player's static handler. Used by the browser tests and the
 * benchmark while the gateway does not serve the app itself; when it does
 * (GET / answers the app), `frontFor` returns the gateway's own URL.
 */
import { execFileSync } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createMediaProxy } from "@marquee/gateway/edge/media-proxy";
import { createStaticHandler } from "@marquee/gateway/edge/static-files";

/** Builds web-player/dist from the current sources (a few seconds), so tests never run a stale build. */
export function buildApp(): void {
  execFileSync(
    process.execPath,
    ["node_modules/vite/bin/vite.js", "build", "web-player", "--logLevel", "warn"],
    {
      cwd: new URL("../../../", import.meta.url),
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
}

const RPC = /^\/[a-z][\w]*\.[\w.]+\//;

/** Forwards requests to `target` as they are (keep-alive), answers as they come. */
export function proxyTo(target: string): http.RequestListener {
  const url = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  return (req, res) => {
    const upstream = http.request(
      { host: url.hostname, port: url.port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(upstream);
  };
}

export interface Front {
  url: string;
  /** True when the gateway serves the app itself and no front was started. */
  gatewayServesApp: boolean;
  close(): Promise<void>;
}

/** The URL to open in the browser: the gateway when it serves the app, else a front started here. */
export async function frontFor(gatewayUrl: string, streamingUrl: string): Promise<Front> {
  const probe = await fetch(`${gatewayUrl}/`).catch(() => undefined);
  const html = probe?.ok ? await probe.text() : "";
  if (/<div id="app">/.test(html)) {
    return { url: gatewayUrl, gatewayServesApp: true, close: async () => {} };
  }
  const api = proxyTo(gatewayUrl);
  const media = createMediaProxy(streamingUrl);
  const files = createStaticHandler();
  const server = http.createServer((req, res) => {
    const path = req.url ?? "/";
    if (path.startsWith("/media/")) media(req, res);
    // The gateway passes generated artwork on to the content service.
    else if (RPC.test(path) || path.startsWith("/artwork/")) api(req, res);
    else files(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    gatewayServesApp: false,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
