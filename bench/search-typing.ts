/**
 * Search as a member types it, in Debian's Chromium through the gateway: for
 * each query, the time from the last key to the results being on screen (the
 * grid for that query drawn, no skeleton left), p50/p99, plain queries and
 * typo queries apart. Baseline measured in the same run: the same queries as
 * bare SearchContent calls from Node through the same gateway, one at a time —
 * what the debounce, the app and the rendering add on top of the RPC.
 *
 *   node --conditions=marquee-source --import tsx bench/search-typing.ts [--rounds 3] [--key-ms 90]
 *
 * MARQUEE_BENCH_BACKENDS=external runs the platform on the real backends (OpenSearch); default embedded.
 * MARQUEE_WEB_TEST_GATEWAY_URL reuses a running platform whose gateway serves the app.
 * Loopback only; bounded by --rounds.
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { launch } from "@marquee/web-player/testing/browser";
import { buildApp, frontFor } from "@marquee/web-player/testing/front";
import { createMember, startPlatform } from "@marquee/web-player/testing/platform";
import type { Page } from "playwright-core";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    "key-ms": { type: "string", default: "90" },
  },
});
const ROUNDS = Math.max(1, Math.min(10, Number(values.rounds)));
/** Between keys: a quick typist (about 130 words a minute); slower typing only gives the debounce more room. */
const KEY_MS = Math.max(20, Math.min(500, Number(values["key-ms"])));

const PLAIN = [
  "star w",
  "tom hanks",
  "amelie",
  "harbor",
  "the silent",
  "lisbon",
  "detective",
  "kyoto garden",
];
const TYPOS = [
  "godfater",
  "matrx",
  "breakin",
  "shawsh",
  "leonardo dicaprip",
  "les miserbles",
  "frozn",
  "clint eastwod",
];

/** Runs in the page: stamps the last key and the moment the results for `want` are drawn. */
function armTimer(want: string): void {
  const w = window as unknown as { __lastKey: number; __drawn: number };
  w.__lastKey = 0;
  w.__drawn = 0;
  document.addEventListener(
    "keydown",
    () => {
      w.__lastKey = performance.now();
      w.__drawn = 0;
    },
    true,
  );
  const check = () => {
    const results = document.querySelector(".results");
    const heading = document.querySelector("h1.page-title");
    if (
      w.__drawn === 0 &&
      results !== null &&
      !results.hasAttribute("aria-busy") &&
      heading?.textContent === `Results for “${want}”`
    )
      w.__drawn = performance.now();
  };
  new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true });
}

async function typeOnce(page: Page, base: string, query: string): Promise<number> {
  await page.goto(`${base}/search`);
  await page.waitForSelector("#search");
  await page.evaluate(armTimer, query);
  await page.focus("#search");
  await page.keyboard.type(query, { delay: KEY_MS });
  await page.waitForFunction(() => (window as unknown as { __drawn: number }).__drawn > 0, null, {
    timeout: 15_000,
  });
  return page.evaluate(() => {
    const w = window as unknown as { __lastKey: number; __drawn: number };
    return w.__drawn - w.__lastKey;
  });
}

function quantiles(xs: number[]): { p50: number; p99: number; n: number } {
  const s = [...xs].sort((a, b) => a - b);
  const pick = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
  return { p50: pick(0.5), p99: pick(0.99), n: s.length };
}

async function main(): Promise<void> {
  await buildApp();
  const backends = process.env.MARQUEE_BENCH_BACKENDS === "external" ? "external" : "embedded";
  process.stdout.write(`starting the platform (${backends})…\n`);
  const platform = await startPlatform({ demoSeconds: 4, env: { MARQUEE_BACKENDS: backends } });
  const front = await frontFor(platform.gatewayUrl, platform.streamingUrl);
  const browser = await launch();
  try {
    const member = await createMember(platform.gatewayUrl);
    const base = front.url;
    const { page } = browser;
    // tsx keeps function names through an `__name` helper that the page does not have.
    await page.addInitScript("globalThis.__name = (f) => f;");
    await page.goto(`${base}/signin`);
    await page.evaluate((s) => localStorage.setItem("marquee.session", s), member.storedSession);
    // Warm-up: the app's code, the connection, the service's caches and JIT.
    for (const q of [...PLAIN, ...TYPOS]) await typeOnce(page, base, q);

    const typed: Record<"plain" | "typo", number[]> = { plain: [], typo: [] };
    const rpc: Record<"plain" | "typo", number[]> = { plain: [], typo: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [kind, queries] of [
        ["plain", PLAIN],
        ["typo", TYPOS],
      ] as const) {
        for (const q of queries) {
          typed[kind].push(await typeOnce(page, base, q));
          const t0 = performance.now();
          await member.api.content.searchContent({ query: q, pageSize: 36 });
          rpc[kind].push(performance.now() - t0);
        }
      }
    }
    const rows = (["plain", "typo"] as const).map((kind) => {
      const t = quantiles(typed[kind]);
      const r = quantiles(rpc[kind]);
      return {
        queries: kind,
        "last key → drawn p50 ms": t.p50.toFixed(0),
        "p99 ms": t.p99.toFixed(0),
        "RPC alone p50 ms": r.p50.toFixed(1),
        "RPC p99 ms": r.p99.toFixed(1),
        "added by debounce + app p50 ms": (t.p50 - r.p50).toFixed(0),
        n: t.n,
      };
    });
    console.table(rows);
    console.log(
      `${backends} backends, ${KEY_MS} ms between keys, ${ROUNDS} round(s); load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")} (a busy machine inflates every figure)`,
    );
  } finally {
    await browser.close();
    await front.close();
    await platform.stop();
  }
}

await main();
