/**
 * The member's journey and adaptive bitrate in a real browser (Debian's
 * headless Chromium) against the whole platform in embedded mode.
 */

import { waitFor } from "@marquee/kit/testing";
import { Code, ConnectError, type Content, PlanTier } from "@marquee/sdk";
import test from "ava";
import type { CDPSession, Page, Request } from "playwright-core";
import { type Browser, launch, screenshot } from "./browser.js";
import { buildApp, type Front, frontFor } from "./front.js";
import { createMember, type Member, type Platform, startPlatform, waitForPlayableTitle } from "./platform.js";

interface ProbeAbr {
  t: number;
  type: "requested" | "rendered";
  toId: string;
  toHeight: number;
  toBitrateBps: number;
}
interface ProbeBeat {
  sequence: number;
  reason: string;
  state: string;
  renditionId: string;
  bitrateBps: number;
  positionSeconds: number;
  ok: boolean;
}
interface ProbeState {
  sessionId?: string;
  reading?: () => unknown;
  heartbeats: ProbeBeat[];
  playback?: {
    abr: ProbeAbr[];
    firstFrameAt?: number;
    startSeconds: number;
    errors: string[];
    renewals: number;
  };
  status?: { kind: string };
}

const probe = (page: Page): Promise<ProbeState | undefined> =>
  page.evaluate(() => (globalThis as unknown as { __marquee?: ProbeState }).__marquee);

const currentTime = (page: Page): Promise<number> =>
  page.evaluate(
    () =>
      (globalThis as unknown as { document: Document }).document.querySelector("video")?.currentTime ?? -1,
  );

let platform: Platform | undefined;
let front: Front | undefined;
let probeMember: Member | undefined;
let title: Content | undefined;

test.before(async (t) => {
  t.timeout(900_000, "platform start and demo media ingest");
  await buildApp();
  // Short-lived media URLs, so playback has to renew them (renewal is due halfway through).
  platform = await startPlatform({ demoSeconds: 60, env: { MARQUEE_MANIFEST_URL_TTL_MS: "30000" } });
  probeMember = await createMember(platform.gatewayUrl);
  title = await waitForPlayableTitle(probeMember.api, 720_000, undefined, platform);
  front = await frontFor(platform.gatewayUrl, platform.streamingUrl);
  t.log(`app at ${front.url} (gateway serves the app: ${front.gatewayServesApp}); title "${title.title}"`);
});

test.after.always(async () => {
  await front?.close();
  await platform?.stop();
});

async function withBrowser(t: {
  teardown: (fn: () => Promise<void>) => void;
  log: (...v: unknown[]) => void;
}) {
  const browser: Browser = await launch();
  t.teardown(() => browser.close());
  browser.page.on("pageerror", (e) => t.log(`pageerror: ${e.message}`));
  return browser;
}

test.serial("journey: sign up, profile, search, play, pause, reload resumes, rate", async (t) => {
  t.timeout(300_000);
  if (!front || !title) return t.fail("no platform");
  const base = front.url;
  const { page } = await withBrowser(t);

  // Sign up (then choose a plan), create a profile and pick it.
  await page.goto(`${base}/signup`);
  await page.fill("input[name=name]", "Ada Lovelace");
  const email = `ada-${Date.now()}@example.com`;
  await page.fill("input[name=email]", email);
  await page.fill("input[name=password]", "analytical-engine-1843");
  await page.fill("input[name=dateOfBirth]", "1990-12-10");
  await page.fill("input[name=country]", "GB");
  await page.click("button[type=submit]");
  await page.waitForURL(/\/plans/, { timeout: 20_000 });
  await page.click("label.plan-card:has-text('Standard')");
  await page.click("button:has-text('Start membership')");
  await page.waitForURL(/\/profiles/, { timeout: 20_000 });
  await page.click("button:has-text('Add profile')");
  await page.fill("dialog input[name=name]", "Ada");
  await page.click("dialog button[type=submit]");
  await page.click(".profile-tile[data-profile-id]", { timeout: 20_000 });
  await page.waitForURL(`${base}/`, { timeout: 20_000 });
  await page.waitForSelector(".hero .hero-title", { timeout: 20_000 });
  await page.waitForSelector("[data-row^='genre-'] .card", { timeout: 20_000 });
  t.log(await screenshot(page, "home"));

  // Search as you type, open the title.
  // The whole title: the seeded catalog has dozens of titles with "Signal" in them, ranked by popularity.
  const word = title.title;
  await page.click("#search");
  await page.keyboard.type(word, { delay: 60 });
  await page.waitForURL(/\/search\?q=/, { timeout: 10_000 });
  const card = page.locator(`.grid .card[data-content-id="${title.contentId}"]`);
  await card.waitFor({ timeout: 15_000 });
  await card.click();
  await page.waitForURL(new RegExp(`/title/${title.contentId}`));
  await page.waitForSelector(".details-info h1");
  t.is(await page.textContent(".details-info h1"), title.title);
  await page.waitForSelector("[data-row=similar]:not([aria-busy])", { timeout: 15_000 });
  t.log(await screenshot(page, "details"));

  // Play, watch a few seconds, pause.
  await page.click("a[data-action=play]");
  await page.waitForURL(new RegExp(`/watch/${title.contentId}`));
  await waitFor(
    "the first frame",
    async () => (await probe(page))?.playback?.firstFrameAt !== undefined,
    30_000,
  );
  await waitFor("8 s of playback", async () => (await currentTime(page)) >= 8, 30_000);
  await page.keyboard.press("i");
  await page.waitForSelector(".stats:not([hidden])");
  t.log(await screenshot(page, "player"));
  await page.keyboard.press("k");
  const pausedAt = await currentTime(page);
  const paused = await waitFor(
    "an accepted pause heartbeat",
    async () => (await probe(page))?.heartbeats.find((b) => b.reason === "pause" && b.ok),
    15_000,
  );
  t.is(paused.state, "paused");
  t.true(
    Math.abs(paused.positionSeconds - pausedAt) < 1.5,
    `pause heartbeat at ${paused.positionSeconds}, paused at ${pausedAt}`,
  );

  // Reload: the new session starts where we paused.
  await page.reload();
  await waitFor(
    "the first frame after reload",
    async () => (await probe(page))?.playback?.firstFrameAt !== undefined,
    30_000,
  );
  const resumed = await probe(page);
  t.true(
    (resumed?.playback?.startSeconds ?? 0) >= pausedAt - 2,
    `resumed at ${resumed?.playback?.startSeconds}, paused at ${pausedAt}`,
  );
  t.true((await currentTime(page)) >= pausedAt - 2);

  // Back to the details and rate it "Love this"; the rating survives a reload.
  await page.keyboard.press("Escape");
  await page.waitForURL(new RegExp(`/title/${title.contentId}`));
  const love = page.locator("button[data-rating=DOUBLE_THUMBS_UP]");
  await love.click();
  await page.waitForSelector(".rating-status:has-text('Rated')", { timeout: 10_000 });
  await page.reload();
  await page.waitForSelector("button[data-rating=DOUBLE_THUMBS_UP][aria-pressed=true]", { timeout: 15_000 });
  t.pass();
});

async function throttle(cdp: CDPSession, mbps: number | undefined): Promise<void> {
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: mbps === undefined ? 0 : 20,
    downloadThroughput: mbps === undefined ? -1 : (mbps * 1_000_000) / 8,
    uploadThroughput: mbps === undefined ? -1 : (mbps * 1_000_000) / 8,
  });
}

test.serial("ABR: throttled below the top rendition it switches down, lifted it climbs back", async (t) => {
  t.timeout(240_000);
  if (!front || !title || !platform) return t.fail("no platform");
  const member = await createMember(platform.gatewayUrl);
  const { page, context } = await withBrowser(t);
  await page.goto(`${front.url}/signin`);
  await page.evaluate((s) => localStorage.setItem("marquee.session", s), member.storedSession);
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await page.goto(`${front.url}/watch/${title.contentId}?buffer=8`);
  await waitFor(
    "the first frame",
    async () => (await probe(page))?.playback?.firstFrameAt !== undefined,
    30_000,
  );

  // Unthrottled on loopback it reaches the top of the ladder (Premium: no cap).
  const topBitrate = await waitFor(
    "the top rendition",
    async () => {
      const abr = (await probe(page))?.playback?.abr ?? [];
      const top = abr.filter((e) => e.type === "rendered").at(-1);
      return top && top.toHeight >= 1080 ? top.toBitrateBps : undefined;
    },
    30_000,
  );
  const throttledAt = await page.evaluate(() => performance.now());
  const limitMbps = Math.min(1.5, (topBitrate / 1_000_000) * 0.4);
  await throttle(cdp, limitMbps);
  const down = await waitFor(
    `a switch below ${limitMbps} Mbps`,
    async () =>
      (await probe(page))?.playback?.abr.find(
        (e) => e.type === "requested" && e.t > throttledAt && e.toBitrateBps <= limitMbps * 1_000_000,
      ),
    25_000,
  );
  t.log(`down to ${down.toId} after ${Math.round(down.t - throttledAt)} ms`);

  const liftedAt = await page.evaluate(() => performance.now());
  await throttle(cdp, undefined);
  const up = await waitFor(
    "a climb back to the top rendition",
    async () =>
      (await probe(page))?.playback?.abr.find(
        (e) => e.type === "requested" && e.t > liftedAt && e.toBitrateBps >= topBitrate,
      ),
    30_000,
  );
  t.log(`back up to ${up.toId} after ${Math.round(up.t - liftedAt)} ms`);

  // The heartbeats carried the switch to the server, and it accepted them.
  const lowRendition = down.toId;
  await waitFor(
    "an accepted heartbeat on the lower rendition",
    async () => (await probe(page))?.heartbeats.some((b) => b.ok && b.renditionId === lowRendition),
    25_000,
  );
  const beats = (await probe(page))?.heartbeats ?? [];
  t.true(
    beats.some((b) => b.ok && b.bitrateBps >= topBitrate),
    "a heartbeat at the top rendition",
  );
  t.true(
    beats.every((b, i) => i === 0 || b.sequence > (beats[i - 1]?.sequence ?? 0)),
    "sequence numbers rise",
  );

  // Stop playback (leaving the player), then the history has the title.
  await page.goto(`${front.url}/title/${title.contentId}`);
  const history = await waitFor(
    "the title in viewing history",
    async () => {
      const res = await member.api.streaming.listViewingHistory({
        profileId: member.profileId,
        pageSize: 10,
      });
      return res.entries.find((e) => e.contentId === title?.contentId);
    },
    20_000,
  );
  t.true(Number(history.position?.seconds ?? 0n) > 0, "history stored a position");
});

test.serial("an expiring media URL is renewed and playback goes on past its expiry", async (t) => {
  t.timeout(120_000);
  if (!front || !title || !platform) return t.fail("no platform");
  const member = await createMember(platform.gatewayUrl);
  const { page } = await withBrowser(t);
  await page.goto(`${front.url}/signin`);
  await page.evaluate((s) => localStorage.setItem("marquee.session", s), member.storedSession);
  await page.goto(`${front.url}/watch/${title.contentId}?t=0&buffer=6`);
  await waitFor(
    "the first frame",
    async () => (await probe(page))?.playback?.firstFrameAt !== undefined,
    30_000,
  );
  await waitFor(
    "a renewed manifest URL",
    async () => ((await probe(page))?.playback?.renewals ?? 0) >= 1,
    40_000,
  );
  // 30 s URLs, 6 s of buffer: past 36 s every segment came through a renewed URL.
  await waitFor("38 s of playback", async () => (await currentTime(page)) >= 38, 60_000);
  const state = await probe(page);
  t.deepEqual(state?.playback?.errors, [], "no download errors");
  t.not(state?.status?.kind, "reconnecting");
});

test.serial("leaving the page ends the session with one report: queued readings, then STOPPED", async (t) => {
  t.timeout(120_000);
  if (!front || !title || !platform) return t.fail("no platform");
  const member = await createMember(platform.gatewayUrl);
  const { page } = await withBrowser(t);
  // Playwright does not see the requests of a page being unloaded, so the page notes its own.
  await page.addInitScript(() => {
    const realFetch = globalThis.fetch.bind(globalThis);
    globalThis.fetch = (input, init) => {
      const procedure = /StreamingService\/(SendHeartbeats|StopStream)$/.exec(String(input))?.[1];
      if (procedure) {
        const noted = JSON.parse(localStorage.getItem("test.calls") ?? "[]") as unknown[];
        const body = typeof init?.body === "string" ? init.body : "";
        noted.push({ procedure, keepalive: init?.keepalive === true, body });
        localStorage.setItem("test.calls", JSON.stringify(noted));
      }
      return realFetch(input, init);
    };
  });
  const calls = async () =>
    JSON.parse((await page.evaluate(() => localStorage.getItem("test.calls"))) ?? "[]") as {
      procedure: string;
      keepalive: boolean;
      body: string;
    }[];
  await page.goto(`${front.url}/signin`);
  await page.evaluate((s) => localStorage.setItem("marquee.session", s), member.storedSession);
  await page.goto(`${front.url}/watch/${title.contentId}?t=0`);
  await waitFor(
    "the first report accepted",
    async () => (await probe(page))?.heartbeats.some((b) => b.ok),
    30_000,
  );
  // A lost report keeps its readings queued: the pause reading is one the final report must carry.
  const heartbeatsUrl = /StreamingService\/SendHeartbeats$/;
  await page.route(heartbeatsUrl, (route) => route.abort());
  await page.keyboard.press("k");
  await waitFor(
    "a lost pause report",
    async () => (await probe(page))?.heartbeats.some((b) => b.reason === "pause" && !b.ok),
    15_000,
  );
  await page.unroute(heartbeatsUrl);
  const before = await probe(page);
  const sessionId = before?.sessionId ?? "";
  const reported = Math.max(0, ...(before?.heartbeats ?? []).filter((b) => b.ok).map((b) => b.sequence));

  await page.reload();
  const ended = await waitFor(
    "the old session to end",
    async () => {
      try {
        await member.api.streaming.renewManifestUrl({ sessionId });
        return undefined;
      } catch (err) {
        return err;
      }
    },
    15_000,
  );
  t.true(ended instanceof ConnectError && ended.code === Code.FailedPrecondition, String(ended));
  const finals = (await calls())
    .filter((c) => c.keepalive)
    .map((c) => JSON.parse(c.body) as { sessionId: string; readings: { sequence: string; state: string }[] })
    .filter(
      (body) => body.sessionId === sessionId && body.readings.at(-1)?.state === "PLAYBACK_STATE_STOPPED",
    );
  t.is(finals.length, 1, "one final report");
  const final = finals[0]?.readings ?? [];
  const sequences = final.map((r) => Number(r.sequence));
  t.log(`accepted before leaving: up to ${reported}; final report: ${sequences.join(", ")}`);
  t.true(sequences.length >= 2, "the queued readings went with the STOPPED one");
  t.deepEqual(
    sequences,
    Array.from({ length: sequences.length }, (_, i) => reported + 1 + i),
    "every reading not accepted yet, in order",
  );
  t.false(
    final.slice(0, -1).some((r) => r.state === "PLAYBACK_STATE_STOPPED"),
    "STOPPED only last",
  );
  t.false(
    (await calls()).some((c) => c.procedure === "StopStream"),
    "no StopStream of its own",
  );
});

test.serial(
  "Basic plan: never above 720p, in the manifest or in requests; its stream limit shows a clear message",
  async (t) => {
    t.timeout(120_000);
    if (!front || !title || !platform) return t.fail("no platform");
    const member = await createMember(platform.gatewayUrl, PlanTier.BASIC); // one stream at a time, 720p
    const { page, context } = await withBrowser(t);
    const manifests: string[] = [];
    const renditions = new Set<string>();
    page.on("response", (res) => {
      const file = new URL(res.url()).pathname.split("/").at(-1) ?? "";
      if (file === "manifest.mpd")
        void res.text().then(
          (body) => manifests.push(body),
          () => undefined,
        );
      const rendition = /^(?:init|chunk)-(\d+p)[-.]/.exec(file)?.[1];
      if (rendition) renditions.add(rendition);
    });
    await page.goto(`${front.url}/signin`);
    await page.evaluate((s) => localStorage.setItem("marquee.session", s), member.storedSession);
    await page.goto(`${front.url}/watch/${title.contentId}?t=0`);
    await waitFor(
      "the first frame",
      async () => (await probe(page))?.playback?.firstFrameAt !== undefined,
      30_000,
    );
    const cap = await page.evaluate(
      () =>
        (globalThis as unknown as { __marquee?: { playback?: { cap: { maxHeight: number } } } }).__marquee
          ?.playback?.cap.maxHeight,
    );
    t.is(cap, 720, "Basic is capped at 720p");
    // Unthrottled on loopback the ABR climbs as high as it may: 720p, and no further.
    await waitFor("a 720p segment requested", () => renditions.has("720p"), 30_000);
    await waitFor("the manifest read", () => manifests.length > 0, 10_000);
    const heights = manifests.flatMap((m) => [...m.matchAll(/\bheight="(\d+)"/g)].map((x) => Number(x[1])));
    t.true(heights.length > 0 && heights.every((h) => h <= 720), `manifest heights ${heights.join(", ")}`);
    t.deepEqual(
      [...renditions].filter((r) => Number.parseInt(r, 10) > 720),
      [],
      `renditions requested: ${[...renditions].join(", ")}`,
    );

    const second = await context.newPage();
    await second.goto(`${front.url}/watch/${title.contentId}?t=0`);
    await second.waitForSelector(".player-message h2:has-text('Too many screens')", { timeout: 20_000 });
    t.regex((await second.textContent(".player-message")) ?? "", /another device|upgrade/i);
  },
);

/** The video's figures the controls test reads. */
const videoState = (page: Page) =>
  page.evaluate(() => {
    const v = (globalThis as unknown as { document: Document }).document.querySelector("video");
    return {
      time: v?.currentTime ?? -1,
      paused: v?.paused ?? true,
      muted: v?.muted ?? false,
      volume: v?.volume ?? -1,
    };
  });

test.serial(
  "controls: ±10 s buttons and keys, volume and mute remembered, buffered range; no error request from play to leave",
  async (t) => {
    t.timeout(180_000);
    if (!front || !title || !platform) return t.fail("no platform");
    const member = await createMember(platform.gatewayUrl);
    const { page } = await withBrowser(t);
    await page.goto(`${front.url}/signin`);
    await page.evaluate((s) => localStorage.setItem("marquee.session", s), member.storedSession);

    // From here to the details page after leaving: no 4xx/5xx answer, no console error.
    const bad: string[] = [];
    const inFlight = new Set<Request>();
    let lastRequestAt = Date.now();
    page.on("request", (req) => {
      inFlight.add(req);
      lastRequestAt = Date.now();
    });
    const settled = (req: Request) => {
      inFlight.delete(req);
      lastRequestAt = Date.now();
    };
    page.on("requestfinished", settled);
    page.on("requestfailed", settled);
    page.on("response", (res) => {
      if (res.status() >= 400) bad.push(`HTTP ${res.status()} ${res.request().method()} ${res.url()}`);
    });
    page.on("console", (m) => {
      if (m.type() === "error") bad.push(`console error: ${m.text()}`);
    });
    page.on("pageerror", (e) => bad.push(`page error: ${e.message}`));

    await page.goto(`${front.url}/watch/${title.contentId}?t=20`);
    await waitFor(
      "the first frame",
      async () => (await probe(page))?.playback?.firstFrameAt !== undefined,
      30_000,
    );
    await page.keyboard.press("k");
    await waitFor("paused", async () => (await videoState(page)).paused, 5_000);
    const at = (await videoState(page)).time;
    const near = (want: number) => async () => Math.abs((await videoState(page)).time - want) < 0.3;
    const moves: [string, () => Promise<void>, number][] = [
      ["forward button", () => page.click("media-seek-forward-button"), at + 10],
      ["back button", () => page.click("media-seek-backward-button"), at],
      ["→", () => page.keyboard.press("ArrowRight"), at + 10],
      ["j", () => page.keyboard.press("j"), at],
      ["←", () => page.keyboard.press("ArrowLeft"), at - 10],
      ["l", () => page.keyboard.press("l"), at],
    ];
    for (const [what, act, want] of moves) {
      await act();
      await waitFor(`${what} to move to ${want.toFixed(1)} s`, near(want), 5_000);
    }
    t.is(
      await page.getAttribute("media-seek-forward-button", "aria-label"),
      "seek forward 10 seconds",
      "the skip buttons say what they do",
    );

    // The buffered range: media-chrome draws what the video holds ahead on the seek bar.
    const buffered = await waitFor(
      "a buffered range drawn past the position",
      () =>
        page.evaluate(() => {
          const doc = (globalThis as unknown as { document: Document }).document;
          const v = doc.querySelector("video");
          const bar = doc.querySelector("media-time-range")?.shadowRoot?.querySelector("#buffered");
          const range = bar?.parentElement?.getBoundingClientRect().width ?? 0;
          const drawn = bar?.getBoundingClientRect().width ?? 0;
          if (!v?.buffered.length || !(drawn > 0) || !(range > 0)) return undefined;
          const end = v.buffered.end(v.buffered.length - 1);
          // media-chrome redraws on the video's progress events, so the bar may lag the buffer for a moment.
          const agrees = Math.abs(drawn / range - end / v.duration) < 0.1;
          return end > v.currentTime + 1 && agrees
            ? { end, drawn: drawn / range, duration: v.duration }
            : undefined;
        }),
      20_000,
    );
    t.true(
      Math.abs(buffered.drawn - buffered.end / buffered.duration) < 0.1,
      `buffered to ${buffered.end.toFixed(1)} s of ${buffered.duration.toFixed(1)} s, drawn ${(buffered.drawn * 100).toFixed(0)}%`,
    );

    // Volume from the slider, mute with m: both come back after a reload.
    const slider = await page.locator("media-volume-range").boundingBox();
    if (!slider) return t.fail("no volume slider");
    await page.mouse.click(slider.x + slider.width * 0.3, slider.y + slider.height / 2);
    const volume = await waitFor(
      "the volume lowered",
      async () => {
        const v = (await videoState(page)).volume;
        return v > 0.05 && v < 0.6 ? v : undefined;
      },
      5_000,
    );
    await page.keyboard.press("m");
    await waitFor("muted", async () => (await videoState(page)).muted, 5_000);
    t.log(await screenshot(page, "player-controls"));
    await page.reload();
    inFlight.clear(); // The old document's requests end unseen.
    await waitFor(
      "the first frame after reload",
      async () => (await probe(page))?.playback?.firstFrameAt !== undefined,
      30_000,
    );
    const restored = await videoState(page);
    t.true(restored.muted, "still muted after reload");
    t.true(Math.abs(restored.volume - volume) < 0.01, `volume ${restored.volume}, set ${volume}`);
    await page.click("media-mute-button");
    await waitFor("unmuted", async () => !(await videoState(page)).muted, 5_000);

    // Leave: the session ends, and nothing answers with an error.
    const sessionId = (await probe(page))?.sessionId ?? "";
    await page.keyboard.press("Escape");
    await page.waitForURL(new RegExp(`/title/${title.contentId}`));
    await waitFor(
      "the session to end",
      async () => {
        try {
          await member.api.streaming.renewManifestUrl({ sessionId });
          return false;
        } catch (err) {
          return err instanceof ConnectError && err.code === Code.FailedPrecondition;
        }
      },
      15_000,
    );
    await waitFor(
      "the page's requests to settle",
      () => inFlight.size === 0 && Date.now() - lastRequestAt > 1_000,
      15_000,
    );
    t.deepEqual(bad, [], "no error answer and no console error from play to leave");
  },
);
