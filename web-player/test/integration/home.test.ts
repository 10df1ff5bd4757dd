/**
 * Home in a real browser (Debian's headless Chromium) against the whole
 * platform in embedded mode: how soon the first rows show, and My List.
 */

import os from "node:os";
import test from "ava";
import type { Page } from "playwright-core";
import { launch, screenshot } from "./browser.js";
import { buildApp, type Front, frontFor } from "./front.js";
import { createMember, type Member, type Platform, startPlatform } from "./platform.js";

let platform: Platform | undefined;
let front: Front | undefined;

test.before(async (t) => {
  t.timeout(600_000, "platform start");
  await buildApp();
  platform = await startPlatform({ demoSeconds: 4 });
  front = await frontFor(platform.gatewayUrl, platform.streamingUrl);
  t.log(`app at ${front.url}`);
});

test.after.always(async () => {
  await front?.close();
  await platform?.stop();
});

async function browse(t: { teardown: (fn: () => Promise<void>) => void; log: (...v: unknown[]) => void }) {
  const browser = await launch();
  t.teardown(() => browser.close());
  browser.page.on("pageerror", (e) => t.log(`pageerror: ${e.message}`));
  // When each row stops being busy, in ms since navigation: set before any script of the app runs.
  await browser.page.addInitScript(() => {
    const w = globalThis as unknown as { rowTimes: Record<string, number> };
    w.rowTimes = {};
    new MutationObserver((records) => {
      for (const r of records) {
        const el = r.target as HTMLElement;
        const name = el.dataset.row ?? "?";
        if (el.matches("section.row") && !el.hasAttribute("aria-busy") && !(name in w.rowTimes)) {
          w.rowTimes[name] = Math.round(performance.now());
        }
      }
    }).observe(document, { attributes: true, attributeFilter: ["aria-busy"], subtree: true });
  });
  return browser.page;
}

/** Opens the app signed in as the member, with their profile selected, at `path`. */
async function signedIn(page: Page, member: Member, path: string): Promise<void> {
  if (!front) throw new Error("no front");
  await page.goto(`${front.url}/signin`);
  await page.evaluate((s) => localStorage.setItem("marquee.session", s), member.storedSession);
  await page.goto(`${front.url}${path}`);
}

const rowTimes = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { rowTimes: Record<string, number> }).rowTimes);

test.serial("the first rows of home show soon (a figure, printed)", async (t) => {
  t.timeout(120_000);
  if (!front || !platform) return t.fail("no platform");
  const member = await createMember(platform.gatewayUrl);
  const page = await browse(t);
  await signedIn(page, member, "/");
  // A warm-up visit (the app's code and the services' first calls), then the one measured.
  await page.locator("section.row[data-row=recommended]:not([aria-busy])").waitFor({ timeout: 60_000 });
  const calls: string[] = [];
  page.on("requestfinished", (req) => {
    const path = new URL(req.url()).pathname;
    const timing = req.timing();
    if (/^\/marquee\./.test(path)) {
      calls.push(
        `${path.split("/").pop()} ${Math.round(timing.startTime - navStart)}+${Math.round(timing.responseEnd)}`,
      );
    }
  });
  const navStart = Date.now();
  await page.reload();
  await page.locator("section.row[data-row=recommended]:not([aria-busy])").waitFor({ timeout: 30_000 });
  t.log(`${calls.length} calls by then (start ms after reload + ms taken): ${calls.join(", ")}`);
  const times = await rowTimes(page);
  const shown = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>("section.row:not([hidden]):not([aria-busy])")].map(
      (s) => s.dataset.row,
    ),
  );
  t.log(
    `rows done, ms after navigation: ${JSON.stringify(times)} (load average ${(os.loadavg()[0] ?? 0).toFixed(1)})`,
  );
  t.log(`rows loaded by then: ${shown.length} (${shown.join(", ")})`);
  t.log(await screenshot(page, "home-first-rows"));
  t.true(Object.keys(times).length >= 2);
});

test.serial(
  "My List: added from a card, shown in its row, kept across a reload, removed from the details page; a search result's card toggles it too",
  async (t) => {
    t.timeout(120_000);
    if (!front || !platform) return t.fail("no platform");
    const member = await createMember(platform.gatewayUrl);
    const page = await browse(t);
    await signedIn(page, member, "/");
    const popular = page.locator("section.row[data-row=trending]:not([aria-busy])");
    t.is(
      (await popular.locator(".row-title").textContent())?.trim(),
      "Popular on Marquee",
      "nothing trends yet",
    );
    const slot = popular.locator(".card-slot").nth(1);
    const contentId = (await slot.locator(".card").getAttribute("data-content-id")) ?? "";
    await slot.hover();
    const toggle = slot.locator("button.my-list-toggle");
    t.regex((await toggle.getAttribute("aria-label")) ?? "", /^Add .+ to My List$/);
    await toggle.click();
    await page.waitForSelector(`.my-list-toggle[data-content-id="${contentId}"][aria-pressed=true]`);
    const myList = page.locator("section.row[data-row=my-list]:not([aria-busy])");
    await myList.locator(`.card[data-content-id="${contentId}"]`).waitFor({ timeout: 10_000 });
    t.log(await screenshot(page, "my-list-added"));
    const stored = await member.api.user.listMyList({ profileId: member.profileId });
    t.deepEqual(
      stored.items.map((i) => i.contentId),
      [contentId],
    );

    await page.reload();
    await myList.locator(`.card[data-content-id="${contentId}"]`).waitFor({ timeout: 15_000 });
    t.is(await myList.locator(".card").count(), 1);
    t.is(await myList.locator("button.my-list-toggle").getAttribute("aria-pressed"), "true");

    await myList.locator(".card").click();
    await page.waitForURL(new RegExp(`/title/${contentId}`));
    const wide = page.locator(".details button.my-list-toggle-wide");
    await page.waitForSelector(".details button.my-list-toggle-wide[aria-pressed=true]", {
      timeout: 15_000,
    });
    t.log(await screenshot(page, "my-list-details"));
    await wide.click();
    await page.waitForSelector(".details button.my-list-toggle-wide[aria-pressed=false]", {
      timeout: 10_000,
    });
    t.deepEqual((await member.api.user.listMyList({ profileId: member.profileId })).items, []);

    // A search result's card has the toggle too.
    await page.goto(`${front.url}/search?q=${encodeURIComponent("star")}`);
    const found = page.locator(".results:not([aria-busy]) .card-slot").first();
    await found.waitFor({ timeout: 15_000 });
    const foundId = (await found.locator(".card").getAttribute("data-content-id")) ?? "";
    await found.hover();
    await found.locator("button.my-list-toggle").click();
    await page.waitForSelector(`.my-list-toggle[data-content-id="${foundId}"][aria-pressed=true]`);
    t.deepEqual(
      (await member.api.user.listMyList({ profileId: member.profileId })).items.map((i) => i.contentId),
      [foundId],
    );
    await found.locator("button.my-list-toggle").click();
    await page.waitForSelector(`.my-list-toggle[data-content-id="${foundId}"][aria-pressed=false]`);
    t.deepEqual((await member.api.user.listMyList({ profileId: member.profileId })).items, []);
    await page.goto(`${front.url}/`);
    await popular.waitFor({ timeout: 15_000 });
    await page.waitForSelector("section.row[data-row=my-list][hidden]", {
      state: "attached",
      timeout: 15_000,
    });
    t.pass("an empty My List shows no row");
  },
);

test.serial("row arrows page along a row and hide at its ends", async (t) => {
  t.timeout(120_000);
  if (!front || !platform) return t.fail("no platform");
  const member = await createMember(platform.gatewayUrl);
  const page = await browse(t);
  await signedIn(page, member, "/");
  const section = page.locator("section.row[data-row=trending]:not([aria-busy])");
  await section.locator(".card").nth(5).waitFor({ state: "attached", timeout: 20_000 });
  const list = section.locator(".row-list");
  const scrollLeft = () => list.evaluate((el) => el.scrollLeft);
  const prev = section.locator("button.row-arrow-prev");
  const next = section.locator("button.row-arrow-next");
  t.true(await prev.isHidden(), "no previous at the start");
  t.regex((await next.getAttribute("aria-label")) ?? "", /^More titles in /);
  await section.hover();
  await next.click();
  await page.waitForFunction((el) => (el as HTMLElement).scrollLeft > 100, await list.elementHandle());
  await prev.waitFor({ state: "visible" });
  t.log(`one click on next scrolled ${await scrollLeft()} px`);
  t.log(await screenshot(page, "row-arrows"));
  // To the end: the next arrow goes away.
  // To the end, a click once the last one's scrolling has arrived: then the next arrow is gone.
  const handle = await list.elementHandle();
  const arrived = () =>
    page.waitForFunction(
      (el) => {
        const list = el as HTMLElement;
        const w = globalThis as unknown as { lastLeft?: number };
        const still = w.lastLeft === list.scrollLeft;
        w.lastLeft = list.scrollLeft;
        return still;
      },
      handle,
      { polling: 100 },
    );
  await arrived();
  for (let i = 0; i < 20 && (await next.isVisible()); i++) {
    await next.click();
    await arrived();
  }
  t.true(await next.isHidden(), "no next arrow at the end");
  await prev.click();
  await next.waitFor({ state: "visible", timeout: 10_000 });
  t.pass();
});
