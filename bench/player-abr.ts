/**
 * Web player QoE benchmark: our player against stock dash.js 5 and stock
 * Shaka Player 5 (default settings; Shaka with `abr.useNetworkInformation:
 * false`, as no player here may read navigator.connection), on the same
 * signed MPD of the long demo title, in Debian's Chromium with DevTools
 * network emulation. Each run starts on a 4.5 Mbps / 40 ms link: click →
 * first frame (ours: Play on the details page, the player code preloaded
 * as the page does and the pointer resting on Play for HOVER_MS first, as a
 * member's does; stock: a Play button on a bare page with its library
 * loaded and its session opened by the bench beforehand). From the first frame a bandwidth pattern plays out; the page
 * probe (bench/lib/page-probe.ts, the same for all three) records frames,
 * the picture height and the video buffer, and bench/lib/player-qoe.ts turns
 * that into rebuffers (stalls and video freezes), average bitrate, its
 * ratios to the bandwidth minus audio and to the oracle, switches and
 * dropped frames. Players alternate order run by run; every figure is
 * compared inside this run only (the machine is shared and noisy).
 *
 *   node --conditions=marquee-source --import tsx bench/player-abr.ts
 *
 * MARQUEE_BENCH_PATTERNS  comma-separated pattern names (default: all)
 * MARQUEE_BENCH_PLAYERS   comma-separated of ours,dashjs,shaka (default: all)
 * MARQUEE_BENCH_RUNS      runs per player and pattern (default 2)
 * MARQUEE_BENCH_RECORD    a directory: each run's probe record (samples, stalls) and steps written there as JSON
 * MARQUEE_WEB_TEST_GATEWAY_URL / MARQUEE_WEB_TEST_STREAMING_URL  reuse a running platform
 *   (it must have the long demo title: MARQUEE_DEMO_LONG_SECONDS > 0)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { waitFor } from "@marquee/kit/testing";
import { launch } from "@marquee/web-player/testing/browser";
import { buildApp } from "@marquee/web-player/testing/front";
import {
  createMember,
  LONG_DEMO_TITLE,
  type Member,
  startPlatform,
  waitForPlayableTitle,
} from "@marquee/web-player/testing/platform";
import type { CDPSession } from "playwright-core";
import { installProbe, type PageProbe } from "./lib/page-probe.js";
import { startBenchFront } from "./lib/player-pages.js";
import { type RunFigures, type Rung, runFigures, type Step } from "./lib/player-qoe.js";

type Player = "ours" | "dashjs" | "shaka";
const ALL_PLAYERS: Player[] = ["ours", "dashjs", "shaka"];

const LATENCY_MS = 40;
const STARTUP_MBPS = 4.5;
const SAMPLE_MS = 250;
/** How long the pointer rests on our Play before the click (the stock pages get their session before loading). */
const HOVER_MS = 500;

/** Bandwidth patterns: [Mbps, seconds] steps. `oracle`: steps of 10 s or more, where the 0.85 target applies. */
const PATTERNS: Record<string, { steps: [number, number][]; oracle: boolean }> = {
  stepped: {
    steps: [
      [4.5, 20],
      [2, 20],
      [3.2, 20],
      [1.2, 20],
      [4.5, 20],
    ],
    oracle: true,
  },
  "sharp-drop": {
    steps: [
      [5, 30],
      [0.8, 15],
      [5, 25],
    ],
    oracle: true,
  },
  spiky: {
    steps: Array.from({ length: 6 }, () => [
      [3.5, 8],
      [0.7, 2],
    ]).flat() as [number, number][],
    oracle: false,
  },
  jitter: {
    steps: Array.from({ length: 15 }, () => [
      [4.5, 2],
      [1.5, 2],
    ]).flat() as [number, number][],
    oracle: false,
  },
};

const names = (env: string | undefined, all: string[]) =>
  env
    ? env
        .split(",")
        .map((s) => s.trim())
        .filter((s) => all.includes(s))
    : all;
const PATTERN_NAMES = names(process.env.MARQUEE_BENCH_PATTERNS, Object.keys(PATTERNS));
const PLAYERS = names(process.env.MARQUEE_BENCH_PLAYERS, ALL_PLAYERS) as Player[];
const RUNS = Number(process.env.MARQUEE_BENCH_RUNS ?? 2);
const RECORD = process.env.MARQUEE_BENCH_RECORD;

async function setBandwidth(cdp: CDPSession, mbps: number): Promise<void> {
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: LATENCY_MS,
    downloadThroughput: (mbps * 1_000_000) / 8,
    uploadThroughput: (mbps * 1_000_000) / 8,
  });
}

interface Ladder {
  video: Rung[];
  audioBps: number;
}

/** The video ladder and audio bitrate of the title's MPD, as the players see it. */
async function readLadder(base: string, member: Member, contentId: string): Promise<Ladder> {
  const s = await member.api.streaming.streamContent({
    profileId: member.profileId,
    contentId,
    deviceId: "bench",
  });
  const mpd = await (await fetch(new URL(s.manifestUrl, base))).text();
  await member.api.streaming.stopStream({ sessionId: s.sessionId });
  const reps = [...mpd.matchAll(/<Representation\b[^>]*>/g)].map((m) => m[0]);
  const num = (tag: string, name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(tag)?.[1] ?? 0);
  const video = reps
    .filter((r) => num(r, "height") > 0)
    .map((r) => ({ height: num(r, "height"), bitrateBps: num(r, "bandwidth") }));
  const audio = reps.find((r) => num(r, "height") === 0 && /audio|mp4a/.test(r));
  return { video, audioBps: audio ? num(audio, "bandwidth") : 128_000 };
}

async function runOnce(
  base: string,
  gatewayUrl: string,
  contentId: string,
  player: Player,
  pattern: [number, number][],
  ladder: Ladder,
): Promise<RunFigures> {
  const member = await createMember(gatewayUrl);
  const browser = await launch();
  let sessionId: string | undefined;
  try {
    const { page, context } = browser;
    // tsx keeps function names through an `__name` helper that the page does not have.
    await page.addInitScript("globalThis.__name = (f) => f;");
    await page.addInitScript(installProbe, SAMPLE_MS);
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await setBandwidth(cdp, STARTUP_MBPS);
    if (player === "ours") {
      await page.goto(`${base}/signin`);
      await page.evaluate((s) => localStorage.setItem("marquee.session", s), member.storedSession);
      await page.goto(`${base}/title/${contentId}`);
      await page.waitForSelector("a[data-action=play]", { timeout: 90_000 });
      // As a member would: the page is shown, the player code it preloads has arrived.
      await waitFor(
        "the player code preloaded",
        () =>
          page.evaluate(() =>
            performance
              .getEntriesByType("resource")
              .some((e) => /dash\.all/.test(e.name) && (e as PerformanceResourceTiming).responseEnd > 0),
          ),
        30_000,
      );
      // A member's pointer rests on Play before the click; the page opens the session then.
      await page.hover("a[data-action=play]");
      await new Promise((resolve) => setTimeout(resolve, HOVER_MS));
      await page.click("a[data-action=play]");
    } else {
      const s = await member.api.streaming.streamContent({
        profileId: member.profileId,
        contentId,
        deviceId: "bench",
      });
      sessionId = s.sessionId;
      const mpd = new URL(s.manifestUrl, base).toString();
      await page.goto(`${base}/bench/${player}?mpd=${encodeURIComponent(mpd)}`);
      await page.waitForFunction((k) => (k === "dashjs" ? "dashjs" : "shaka") in globalThis, player);
      await page.click("#play");
    }
    const readProbe = () => page.evaluate(() => (globalThis as unknown as { __bench: PageProbe }).__bench);
    await waitFor("the first frame", async () => (await readProbe()).firstFrameAt !== undefined, 60_000);
    const steps: Step[] = [];
    for (const [mbps, seconds] of pattern) {
      await setBandwidth(cdp, mbps);
      const from = await page.evaluate(() => performance.now());
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      steps.push({ from, to: await page.evaluate(() => performance.now()), mbps });
    }
    // The first step runs from the first frame (the link was already at its rate, or changes now).
    const probe = await readProbe();
    if (steps[0] && probe.firstFrameAt !== undefined)
      steps[0].from = Math.min(steps[0].from, probe.firstFrameAt);
    if (RECORD) {
      const own = await page.evaluate(
        () => (globalThis as { __marquee?: { playback?: unknown } }).__marquee?.playback,
      );
      mkdirSync(RECORD, { recursive: true });
      writeFileSync(
        path.join(RECORD, `${player}-${Date.now()}.json`),
        JSON.stringify({ player, probe, steps, playback: own }),
      );
    }
    return runFigures(probe, steps, ladder.video, ladder.audioBps);
  } finally {
    await browser.close();
    if (sessionId) await member.api.streaming.stopStream({ sessionId }).catch(() => undefined);
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const fixed = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : "—");
const ratio = (a: number, b: number) => (b > 0 ? fixed(a / b) : a === 0 ? "=" : "∞");

async function main(): Promise<void> {
  const started = Date.now();
  await buildApp();
  process.stdout.write("starting the platform (embedded, with the long demo title)…\n");
  const platform = await startPlatform({ demoSeconds: 4, longSeconds: 180 });
  const front = await startBenchFront(platform.gatewayUrl);
  try {
    const probeMember = await createMember(platform.gatewayUrl);
    const title = await waitForPlayableTitle(probeMember.api, 1_800_000, [LONG_DEMO_TITLE]);
    const ladder = await readLadder(front.url, probeMember, title.contentId);
    process.stdout.write(
      `title "${title.title}" (${title.media?.duration?.seconds ?? "?"} s), ladder ${ladder.video.map((r) => `${r.height}p ${r.bitrateBps / 1000}k`).join(", ")} + audio ${ladder.audioBps / 1000}k; startup at ${STARTUP_MBPS} Mbps / ${LATENCY_MS} ms; ${RUNS} run(s) per player and pattern\n`,
    );
    const results: { pattern: string; player: Player; r: RunFigures }[] = [];
    for (const name of PATTERN_NAMES) {
      const pattern = PATTERNS[name] as (typeof PATTERNS)[string];
      for (let run = 0; run < RUNS; run++) {
        // Alternate the order: each player goes first, middle and last in turn.
        const shift = run % PLAYERS.length;
        const order = [...PLAYERS.slice(shift), ...PLAYERS.slice(0, shift)];
        for (const player of order) {
          const r = await runOnce(
            front.url,
            platform.gatewayUrl,
            title.contentId,
            player,
            pattern.steps,
            ladder,
          );
          results.push({ pattern: name, player, r });
          process.stdout.write(
            `  ${name} run ${run + 1} ${player.padEnd(6)} click→frame ${Math.round(r.startupMs)} ms, rebuffer ${Math.round(r.rebufferMs)} ms (${r.rebuffers}), ${fixed(r.avgBitrateBps / 1e6)} Mbps avg (available ${fixed(r.availableBps / 1e6)}, oracle ${fixed(r.oracleBps / 1e6)}), ${r.switches} switches, ${r.droppedFrames} dropped\n`,
          );
        }
      }
    }
    const meanOf = (name: string, player: Player, pick: (r: RunFigures) => number) =>
      mean(results.filter((x) => x.pattern === name && x.player === player).map((x) => pick(x.r)));
    const stock = PLAYERS.filter((p) => p !== "ours");
    const table: Record<string, string | number>[] = [];
    for (const name of PATTERN_NAMES) {
      for (const player of PLAYERS) {
        const m = (pick: (r: RunFigures) => number) => meanOf(name, player, pick);
        table.push({
          pattern: name,
          player,
          "click→frame ms": Math.round(m((r) => r.startupMs)),
          "rebuffer ms": Math.round(m((r) => r.rebufferMs)),
          rebuffers: fixed(
            m((r) => r.rebuffers),
            1,
          ),
          "avg Mbps": fixed(m((r) => r.avgBitrateBps) / 1e6),
          "/avail": fixed(m((r) => r.avgBitrateBps / r.availableBps)),
          "/oracle": fixed(m((r) => r.avgBitrateBps / r.oracleBps)),
          switches: fixed(
            m((r) => r.switches),
            1,
          ),
          dropped: Math.round(m((r) => r.droppedFrames)),
          runs: results.filter((x) => x.pattern === name && x.player === player).length,
        });
      }
      if (!PLAYERS.includes("ours") || stock.length === 0) continue;
      // Ours against the better stock player on each figure (lower is better except bitrate).
      const best = (pick: (r: RunFigures) => number, higher = false) => {
        const values = stock.map((p) => meanOf(name, p, pick));
        return higher ? Math.max(...values) : Math.min(...values);
      };
      const vs = (pick: (r: RunFigures) => number, higher = false) =>
        ratio(meanOf(name, "ours", pick), best(pick, higher));
      table.push({
        pattern: name,
        player: "ours / better stock",
        "click→frame ms": vs((r) => r.startupMs),
        "rebuffer ms": vs((r) => r.rebufferMs),
        rebuffers: vs((r) => r.rebuffers),
        "avg Mbps": vs((r) => r.avgBitrateBps, true),
        "/avail": "",
        "/oracle": PATTERNS[name]?.oracle ? "target ≥ 0.85" : "",
        switches: vs((r) => r.switches),
        dropped: vs((r) => r.droppedFrames),
        runs: "",
      });
    }
    console.table(table);
    process.stdout.write(`done in ${Math.round((Date.now() - started) / 1000)} s\n`);
  } finally {
    await front.close();
    await platform.stop();
  }
}

await main();
