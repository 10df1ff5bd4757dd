/**
 * Web player ABR benchmark: startup time (navigation to the player → first
 * frame) and, under a stepped bandwidth pattern emulated with the DevTools
 * Protocol, rebuffer time, average rendered bitrate against the bandwidth
 * available, and rendition switches — our throughput-rule ABR next to
 * dash.js's default ABR (throughput + BOLA), in the same run, on the same
 * title, alternating which goes first.
 *
 *   node --conditions=marquee-source --import tsx bench/player-abr.ts
 *
 * MARQUEE_BENCH_STEPS   bandwidth steps in Mbps (default "5,1,5")
 * MARQUEE_BENCH_STEP_S  seconds per step (default 20: the demo titles last at most 60 s)
 * MARQUEE_BENCH_RUNS    runs per ABR (default 2)
 * MARQUEE_WEB_TEST_GATEWAY_URL / MARQUEE_WEB_TEST_STREAMING_URL  reuse a running platform
 */
import { waitFor } from "@marquee/kit/testing";
import type { CDPSession, Page } from "playwright-core";
import { launch } from "../web-player/test/integration/browser.js";
import { buildApp, frontFor } from "../web-player/test/integration/front.js";
import {
  createMember,
  startPlatform,
  waitForPlayableTitle,
} from "../web-player/test/integration/platform.js";

const STEPS = (process.env.MARQUEE_BENCH_STEPS ?? "5,1,5").split(",").map(Number);
const STEP_S = Number(process.env.MARQUEE_BENCH_STEP_S ?? 20);
const RUNS = Number(process.env.MARQUEE_BENCH_RUNS ?? 2);
const LATENCY_MS = 20;

type Mode = "throughput" | "default";

interface AbrEvent {
  t: number;
  type: "requested" | "rendered";
  toId: string;
  toBitrateBps: number;
  reason: string;
}
interface Log {
  playRequestedAt: number;
  firstFrameAt?: number;
  stalls: { start: number; end?: number }[];
  abr: AbrEvent[];
}

interface Result {
  mode: Mode;
  startupMs: number;
  playToFrameMs: number;
  rebufferMs: number;
  stalls: number;
  avgBitrateBps: number;
  avgAvailableBps: number;
  switches: number;
  played: number;
}

async function setBandwidth(cdp: CDPSession, mbps: number): Promise<void> {
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: LATENCY_MS,
    downloadThroughput: (mbps * 1_000_000) / 8,
    uploadThroughput: (mbps * 1_000_000) / 8,
  });
}

const readLog = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { __marquee?: { playback?: Log } }).__marquee?.playback);

async function runOnce(base: string, contentId: string, storedSession: string, mode: Mode): Promise<Result> {
  const browser = await launch();
  try {
    const { page, context } = browser;
    await page.goto(`${base}/signin`);
    await page.evaluate((s) => localStorage.setItem("marquee.session", s), storedSession);
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    await setBandwidth(cdp, STEPS[0] ?? 5);
    await page.goto(`${base}/watch/${contentId}?abr=${mode}&t=0`);
    const first = await waitFor(
      "the first frame",
      async () => {
        const log = await readLog(page);
        return log?.firstFrameAt !== undefined ? log : undefined;
      },
      60_000,
    );
    const start = first.firstFrameAt as number;
    // Steps are timed from the first frame, in the page's clock.
    const bounds: { from: number; to: number; mbps: number }[] = [];
    for (const [i, mbps] of STEPS.entries()) {
      const from = await page.evaluate(() => performance.now());
      if (i > 0) await setBandwidth(cdp, mbps);
      await page.waitForTimeout(STEP_S * 1000);
      bounds.push({ from: i === 0 ? start : from, to: await page.evaluate(() => performance.now()), mbps });
      const ended = await page.evaluate(() => document.querySelector("video")?.ended ?? false);
      if (ended) break;
    }
    const end = bounds.at(-1)?.to ?? start;
    const log = (await readLog(page)) as Log;
    const played = await page.evaluate(() => document.querySelector("video")?.currentTime ?? 0);

    const rebufferMs = log.stalls.reduce(
      (sum, s) => sum + Math.max(0, Math.min(s.end ?? end, end) - Math.max(s.start, start)),
      0,
    );
    const rendered = log.abr.filter((e) => e.type === "rendered").sort((a, b) => a.t - b.t);
    let bitrateTime = 0;
    for (const [i, e] of rendered.entries()) {
      const from = Math.max(e.t, start);
      const to = Math.min(rendered[i + 1]?.t ?? end, end);
      if (to > from) bitrateTime += e.toBitrateBps * (to - from);
    }
    const availableTime = bounds.reduce((sum, b) => sum + b.mbps * 1_000_000 * (b.to - b.from), 0);
    return {
      mode,
      startupMs: start,
      playToFrameMs: start - log.playRequestedAt,
      rebufferMs,
      stalls: log.stalls.filter((s) => s.start >= start).length,
      avgBitrateBps: bitrateTime / (end - start),
      avgAvailableBps: availableTime / (end - start),
      switches: rendered.filter((e) => e.reason !== "initial" && e.t >= start && e.t <= end).length,
      played,
    };
  } finally {
    await browser.close();
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

async function main(): Promise<void> {
  const started = Date.now();
  buildApp();
  process.stdout.write("starting the platform (embedded, 60 s demo titles)…\n");
  const platform = await startPlatform({ demoSeconds: 60 });
  try {
    const member = await createMember(platform.gatewayUrl);
    const title = await waitForPlayableTitle(member.api, 720_000);
    const front = await frontFor(platform.gatewayUrl, platform.streamingUrl);
    process.stdout.write(
      `title "${title.title}" (${title.media?.duration?.seconds ?? "?"} s), steps ${STEPS.join(" → ")} Mbps × ${STEP_S} s, ${RUNS} run(s) per ABR, latency ${LATENCY_MS} ms\n`,
    );
    const results: Result[] = [];
    try {
      for (let run = 0; run < RUNS; run++) {
        const order: Mode[] = run % 2 === 0 ? ["throughput", "default"] : ["default", "throughput"];
        for (const mode of order) {
          const r = await runOnce(front.url, title.contentId, member.storedSession, mode);
          results.push(r);
          process.stdout.write(
            `  run ${run + 1} ${mode.padEnd(10)} startup ${Math.round(r.startupMs)} ms, rebuffer ${Math.round(r.rebufferMs)} ms, ${(r.avgBitrateBps / 1e6).toFixed(2)} Mbps avg, ${r.switches} switches\n`,
          );
        }
      }
    } finally {
      await front.close();
    }
    const rows = (["throughput", "default"] as Mode[]).map((mode) => {
      const rs = results.filter((r) => r.mode === mode);
      const avg = mean(rs.map((r) => r.avgBitrateBps));
      const avail = mean(rs.map((r) => r.avgAvailableBps));
      return {
        ABR: mode === "throughput" ? "throughput rule (ours)" : "dash.js default",
        "startup ms (nav→frame)": Math.round(mean(rs.map((r) => r.startupMs))),
        "play→frame ms": Math.round(mean(rs.map((r) => r.playToFrameMs))),
        "rebuffer ms": Math.round(mean(rs.map((r) => r.rebufferMs))),
        stalls: mean(rs.map((r) => r.stalls)).toFixed(1),
        "avg bitrate Mbps": (avg / 1e6).toFixed(2),
        "available Mbps": (avail / 1e6).toFixed(2),
        "bitrate/available": (avg / avail).toFixed(2),
        switches: mean(rs.map((r) => r.switches)).toFixed(1),
        runs: rs.length,
      };
    });
    console.table(rows);
    process.stdout.write(`done in ${Math.round((Date.now() - started) / 1000)} s\n`);
  } finally {
    await platform.stop();
  }
}

await main();
