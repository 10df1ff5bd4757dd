/**
 * Trick-play in a real browser (Debian's headless Chromium) against the whole
 * platform in embedded mode: the demo titles' sprites and thumbnails track,
 * made at first start by the ingest path, preview the hovered moment above
 * the seek bar — another tile for another position — and so do a touch drag
 * and a seek by keys; the track and the sprites come over the session's
 * signed media path, and follow its renewal.
 */

import { waitFor } from "@marquee/kit/testing";
import type { Content } from "@marquee/sdk";
import test from "ava";
import type { Page } from "playwright-core";
import { launch, screenshot } from "./browser.js";
import { buildApp, type Front, frontFor } from "./front.js";
import { createMember, type Platform, startPlatform, waitForPlayableTitle } from "./platform.js";

let platform: Platform | undefined;
let front: Front | undefined;
let title: Content | undefined;

/** What ingest makes for a title of a minute: a tile every 2 s, 192 × 108, ten to a row. */
const INTERVAL = 2;
const TILE = { width: 192, height: 108 };
/** The seek bar's element is a little wider than its track: a pointer at a fraction of it is near that fraction of the title. */
const BAR_SLACK = 4;

test.before(async (t) => {
  t.timeout(900_000, "platform start and demo media ingest");
  await buildApp();
  // Short-lived media URLs, so the player renews them while the test runs (halfway: after 15 s).
  platform = await startPlatform({ demoSeconds: 60, env: { MARQUEE_MANIFEST_URL_TTL_MS: "30000" } });
  const probe = await createMember(platform.gatewayUrl);
  title = await waitForPlayableTitle(probe.api, 720_000, undefined, platform);
  front = await frontFor(platform.gatewayUrl, platform.streamingUrl);
});

test.after.always(async () => {
  await front?.close();
  await platform?.stop();
});

interface Preview {
  /** media-chrome's preview state on the element: the sprite URL with its #xywh, the tile, the time. */
  image: string | null;
  coords: string | null;
  time: number;
  /** The preview's <img>: what it loaded, and whether it shows. */
  src: string;
  loaded: boolean;
  shown: boolean;
}

/** The preview of the seek bar's own box (selector "media-time-range") or of the keys' box (".key-preview"). */
const previewOf = (page: Page, where: "bar" | "keys"): Promise<Preview | undefined> =>
  page.evaluate((w) => {
    const doc = (globalThis as unknown as { document: Document }).document;
    const seek = doc.querySelector("media-time-range");
    const host =
      w === "bar"
        ? seek?.shadowRoot?.querySelector("media-preview-thumbnail")
        : doc.querySelector(".key-preview:not([hidden]) media-preview-thumbnail");
    const img = host?.shadowRoot?.querySelector("img");
    if (!host || !img) return undefined;
    const box = w === "bar" ? seek?.shadowRoot?.querySelector('[part~="preview-box"]') : host.parentElement;
    // No named helpers in here: the test's compiler would wrap them in a function the page does not have.
    const shown = [img, box].every((el) => {
      if (!el) return false;
      const s = getComputedStyle(el);
      return s.visibility !== "hidden" && s.display !== "none" && Number(s.opacity) > 0.5;
    });
    return {
      image: host.getAttribute("mediapreviewimage"),
      coords: host.getAttribute("mediapreviewcoords"),
      time: Number(
        (w === "bar" ? seek : host.parentElement?.querySelector("media-preview-time-display"))?.getAttribute(
          "mediapreviewtime",
        ),
      ),
      src: img.src,
      loaded: img.complete && img.naturalWidth > 0,
      shown,
    };
  }, where);

/** The tile ingest made for `seconds`: x, y, w, h in its sheet. */
function tileFor(seconds: number): string {
  const k = Math.floor(seconds / INTERVAL);
  return [(k % 10) * TILE.width, Math.floor(k / 10) * TILE.height, TILE.width, TILE.height].join(" ");
}

/** Waits for a shown, loaded preview of a moment `within` s of `near`, whose tile is the one for that moment. */
async function shownPreview(
  page: Page,
  where: "bar" | "keys",
  what: string,
  near: number,
  within: number,
): Promise<Preview> {
  return waitFor(
    what,
    async () => {
      const p = await previewOf(page, where);
      if (!p?.shown || !p.loaded || p.image === null || !Number.isFinite(p.time)) return undefined;
      if (Math.abs(p.time - near) > within) return undefined;
      return p.coords === tileFor(p.time) ? p : undefined;
    },
    15_000,
  );
}

const seekBox = async (page: Page) => {
  const box = await page.locator("media-time-range").boundingBox();
  if (!box) throw new Error("no seek bar on screen");
  return box;
};

test.serial(
  "the seek bar previews the hovered, dragged or key-sought moment from the signed sprites",
  async (t) => {
    t.timeout(300_000);
    if (!front || !title || !platform) return t.fail("no platform");
    const member = await createMember(platform.gatewayUrl);
    const browser = await launch();
    t.teardown(() => browser.close());
    const { page, context } = browser;
    page.on("pageerror", (e) => t.log(`pageerror: ${e.message}`));
    const trickRequests: string[] = [];
    page.on("request", (r) => {
      const url = r.url();
      if (/\/(thumbnails\.vtt|sprite-\d{3}\.jpg)$/.test(url)) trickRequests.push(url);
    });
    await page.goto(`${front.url}/signin`);
    await page.evaluate((s) => localStorage.setItem("marquee.session", s), member.storedSession);
    await page.goto(`${front.url}/watch/${title.contentId}`);
    await waitFor(
      "the thumbnails track's cues",
      () =>
        page.evaluate(() => {
          const v = (globalThis as unknown as { document: Document }).document.querySelector("video");
          const track = [...(v?.textTracks ?? [])].find((tt) => tt.label === "thumbnails");
          return (track?.cues?.length ?? 0) >= 30 && (v?.duration ?? 0) > 50;
        }),
      30_000,
    );

    // Hover at a quarter, then at three quarters: the tile of each moment, from the first sheet.
    const bar = await seekBox(page);
    const y = bar.y + bar.height / 2;
    await page.mouse.move(bar.x + bar.width * 0.25, y, { steps: 5 });
    const quarter = await shownPreview(page, "bar", "a preview at a quarter", 15, BAR_SLACK);
    t.log(`hover at ${quarter.time.toFixed(1)} s: ${quarter.image}`);
    t.regex(quarter.image ?? "", /\/media\/s\/[^/]+\/[a-z0-9-]+\/sprite-001\.jpg#xywh=\d+,\d+,192,108$/);
    t.is(`${quarter.src}#${(quarter.image ?? "").split("#")[1]}`, quarter.image ?? "");
    t.log(await screenshot(page, "trick-play-hover"));
    await page.mouse.move(bar.x + bar.width * 0.75, y, { steps: 5 });
    const later = await shownPreview(page, "bar", "a preview at three quarters", 45, BAR_SLACK);
    t.not(later.coords, quarter.coords, "another moment, another tile");
    t.is(later.coords, tileFor(later.time));

    // Away from the bar the preview goes; a seek by keys shows one above the bar, then it goes.
    await page.mouse.move(bar.x + bar.width / 2, 100, { steps: 3 });
    await waitFor(
      "the hover preview to go",
      async () => (await previewOf(page, "bar"))?.image === null,
      5_000,
    );
    const before = await page.evaluate(
      () =>
        (globalThis as unknown as { document: Document }).document.querySelector("video")?.currentTime ?? 0,
    );
    await page.keyboard.press("ArrowRight");
    const keyed = await shownPreview(page, "keys", "a preview for the seek by keys", before + 10, 1.5);
    t.regex(keyed.image ?? "", /\/media\/s\/[^/]+\/[a-z0-9-]+\/sprite-001\.jpg#xywh=/);
    t.log(await screenshot(page, "trick-play-keys"));
    await waitFor(
      "the keys' preview to go",
      async () => (await page.locator(".key-preview").getAttribute("hidden")) !== null,
      5_000,
    );

    // Every request for the track and the sprites went over the signed path.
    t.true(trickRequests.length >= 2);
    for (const url of trickRequests) t.regex(url, /\/media\/s\/[^/]+\/[a-z0-9-]+\/[^/]+$/, url);

    // The URL is renewed: the track takes the new signature, and so do the sprites it names.
    await waitFor(
      "a renewed manifest URL",
      () =>
        page.evaluate(
          () =>
            ((globalThis as unknown as { __marquee?: { playback?: { renewals: number } } }).__marquee
              ?.playback?.renewals ?? 0) >= 1,
        ),
      40_000,
    );
    const tokenOf = (url: string) => /\/media\/s\/([^/]+)\//.exec(url)?.[1];
    const first = tokenOf(trickRequests[0] as string);
    const trackSrc = await page.locator('video track[label="thumbnails"]').getAttribute("src");
    t.truthy(tokenOf(trackSrc ?? ""));
    t.not(tokenOf(trackSrc ?? ""), first, "the track follows the renewed signature");
    await page.mouse.move(bar.x + bar.width * 0.6, y, { steps: 5 });
    const renewed = await shownPreview(page, "bar", "a preview after renewal", 36, BAR_SLACK);
    t.is(tokenOf(renewed.image ?? ""), tokenOf(trackSrc ?? ""));

    // A touch drag along the bar previews where the finger is.
    await page.mouse.move(bar.x + bar.width / 2, 100, { steps: 3 });
    await waitFor("no preview", async () => (await previewOf(page, "bar"))?.image === null, 5_000);
    const cdp = await context.newCDPSession(page);
    await cdp.send("Emulation.setTouchEmulationEnabled", { enabled: true, maxTouchPoints: 1 });
    const touch = (type: "touchStart" | "touchMove" | "touchEnd", x: number) =>
      cdp.send("Input.dispatchTouchEvent", {
        type,
        touchPoints: type === "touchEnd" ? [] : [{ x, y }],
      });
    await touch("touchStart", bar.x + bar.width * 0.3);
    for (const f of [0.35, 0.4, 0.45, 0.5]) await touch("touchMove", bar.x + bar.width * f);
    const dragged = await shownPreview(page, "bar", "a preview under the finger", 30, BAR_SLACK);
    t.is(dragged.coords, tileFor(dragged.time));
    await touch("touchEnd", 0);
  },
);
