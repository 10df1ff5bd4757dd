/**
 * The benchmark's front: one origin for all three players, so each fetches
 * the same signed MPD and segments through the same hops. /bench/dashjs and
 * /bench/shaka are bare pages with stock dash.js 5 and stock Shaka Player 5
 * (their default settings, except that Shaka may not read
 * navigator.connection: `abr.useNetworkInformation: false`); a Play button
 * loads the MPD given in `?mpd=`. Everything else goes to the gateway (the
 * app, its RPCs, the media).
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { proxyTo } from "@marquee/web-player/testing/front";

type Baseline = "dashjs" | "shaka";

const require = createRequire(import.meta.url);
/** The packages' browser bundles (their `require` entries: dash.js's UMD build, Shaka's compiled build). */
const LIBS: Record<Baseline, string> = {
  dashjs: require.resolve("dashjs"),
  shaka: require.resolve("shaka-player"),
};

const START: Record<Baseline, string> = {
  dashjs: `const player = dashjs.MediaPlayer().create();
      player.initialize(video, mpd, true, 0);`,
  shaka: `shaka.polyfill.installAll();
      const player = new shaka.Player();
      player.configure({ abr: { useNetworkInformation: false } });
      await player.attach(video);
      await player.load(mpd, 0);
      await video.play();`,
};

function page(kind: Baseline): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${kind} baseline</title>
<script src="/bench/${kind}.js"></script></head>
<body style="margin:0;background:#000">
<button id="play" style="position:fixed;top:8px;left:8px;z-index:1">Play</button>
<video id="video" muted playsinline style="width:1280px;height:720px"></video>
<script type="module">
  const video = document.getElementById("video");
  const mpd = new URLSearchParams(location.search).get("mpd");
  document.getElementById("play").addEventListener("click", async () => {
    try {
      ${START[kind]}
    } catch (err) {
      document.title = "error: " + (err && (err.message || err.code));
    }
  });
</script></body></html>`;
}

export interface BenchFront {
  url: string;
  close(): Promise<void>;
}

export async function startBenchFront(gatewayUrl: string): Promise<BenchFront> {
  const gateway = proxyTo(gatewayUrl);
  const libs = Object.fromEntries(
    (Object.keys(LIBS) as Baseline[]).map((k) => [k, readFileSync(LIBS[k])]),
  ) as Record<Baseline, Buffer>;
  const server = http.createServer((req, res) => {
    const m = /^\/bench\/(dashjs|shaka)(\.js)?(?:\?|$)/.exec(req.url ?? "");
    if (!m) return gateway(req, res);
    const kind = m[1] as Baseline;
    if (m[2]) {
      res.writeHead(200, { "content-type": "text/javascript", "cache-control": "public, max-age=3600" });
      res.end(libs[kind]);
      return;
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(page(kind));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
