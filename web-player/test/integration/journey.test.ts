/**
 * A new member's whole journey in a real browser (Debian's headless Chromium)
 * against the whole platform in embedded mode, through the UI only: sign up,
 * plan, profile, home, search, details, play, rate, account, sign out — with
 * no console error and no 4xx or 5xx answer at any step. Then a kids profile:
 * its own look, no row for grown-ups, and a grown-up title by URL refused kindly.
 */

import { type Content, MaturityRating } from "@marquee/sdk";
import test, { type ExecutionContext } from "ava";
import type { Page } from "playwright-core";
import { launch, screenshot } from "./browser.js";
import { buildApp, type Front, frontFor } from "./front.js";
import {
  createMember,
  DEMO_TITLE_NAMES,
  type Platform,
  startPlatform,
  waitForPlayableTitle,
} from "./platform.js";

let platform: Platform | undefined;
let front: Front | undefined;
let playable: Content | undefined;
let grownUp: Content | undefined;

test.before(async (t) => {
  t.timeout(900_000, "platform start and the demo titles");
  await buildApp();
  platform = await startPlatform({ demoSeconds: 4 });
  front = await frontFor(platform.gatewayUrl, platform.streamingUrl);
  const probe = await createMember(platform.gatewayUrl);
  playable = await waitForPlayableTitle(probe.api, 600_000, DEMO_TITLE_NAMES, platform);
  grownUp = (await probe.api.content.searchContent({ query: "the godfather", pageSize: 1 })).results[0]
    ?.content;
  t.log(`app at ${front.url}; plays "${playable.title}"; grown-up "${grownUp?.title}"`);
});

test.after.always(async () => {
  await front?.close();
  await platform?.stop();
});

/** Everything that went wrong in the page, as it happened: console errors, uncaught errors, 4xx/5xx answers. */
interface Trouble {
  page: Page;
  problems: string[];
}

async function watched(t: ExecutionContext): Promise<Trouble> {
  const browser = await launch();
  t.teardown(() => browser.close());
  const problems: string[] = [];
  const { page } = browser;
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("response", (r) => {
    if (r.status() < 400) return;
    problems.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    // What was asked and answered, for the log: enough to find the cause.
    void r.text().then(
      (body) =>
        t.log(
          `${r.status()} ${r.url()}\n  asked: ${r.request().postData() ?? ""}\n  answer: ${body.slice(0, 400)}`,
        ),
      () => undefined,
    );
  });
  return { page, problems };
}

/** The search field in the header, typed into as a member would. */
async function search(page: Page, text: string): Promise<void> {
  await page.locator("#search").click();
  await page.keyboard.type(text, { delay: 30 });
  await page.waitForURL(/\/search\?q=/, { timeout: 10_000 });
}

/** Brings each row still loading into view, as a member scrolling down would, until every row has loaded. */
async function loadEveryRow(page: Page): Promise<void> {
  await page.locator("section.row[data-row^=genre-]").first().waitFor({ state: "attached", timeout: 30_000 });
  const busy = page.locator("section.row[aria-busy=true]").first();
  while ((await busy.count()) > 0) {
    const name = await busy.getAttribute("data-row");
    await busy.scrollIntoViewIfNeeded({ timeout: 10_000 });
    await page
      .locator(`section.row[data-row="${name}"]:not([aria-busy])`)
      .first()
      .waitFor({ timeout: 30_000 });
  }
}

/** Waits until the page has made no request for half a second, so a late failure counts for its step. */
const settled = (page: Page) => page.waitForLoadState("networkidle", { timeout: 30_000 });

test.serial(
  "a new member's journey, from sign-up to sign-out, without a console error or a 4xx/5xx",
  async (t) => {
    t.timeout(300_000);
    if (!front || !playable) return t.fail("no platform");
    const { page, problems } = await watched(t);
    const step = async (name: string, what: () => Promise<void>) => {
      const before = problems.length;
      await what();
      await settled(page);
      t.log(await screenshot(page, `journey-${name}`));
      t.deepEqual(problems.slice(before), [], `nothing went wrong in: ${name}`);
    };

    await step("signup", async () => {
      await page.goto(`${front?.url}/signup`);
      await page.fill("input[name=name]", "Ada Lovelace");
      await page.fill("input[name=email]", `ada-${Date.now()}@example.com`);
      await page.fill("input[name=password]", "analytical-engine-1843");
      await page.fill("input[name=dateOfBirth]", "1985-12-10");
      await page.fill("input[name=country]", "GB");
      await page.click("button[type=submit]");
      await page.waitForURL(/\/plans/, { timeout: 20_000 });
    });

    await step("plan", async () => {
      await page.locator(".plan-card").last().click();
      await page.fill("input[name=paymentToken]", "4242 4242 4242 4242");
      await page.click("button:has-text('Start membership')");
      await page.waitForURL(/\/profiles/, { timeout: 20_000 });
    });

    await step("profile", async () => {
      await page.click("button.profile-tile.add");
      await page.fill("dialog input[name=name]", "Ada");
      await page.click("dialog button[type=submit]");
      await page.locator("button.profile-tile:has-text('Ada')").click();
      await page.waitForURL((url) => url.pathname === "/", { timeout: 20_000 });
    });

    await step("home", async () => {
      await page.locator(".hero-title").waitFor({ timeout: 30_000 });
      await loadEveryRow(page);
      t.true((await page.locator("section.row:not([hidden]) .card").count()) > 20, "rows of titles");
    });

    const title = playable.title;
    await step("search", async () => {
      await search(page, title);
      await page.locator(`.results .card:has-text("${title}")`).first().waitFor({ timeout: 15_000 });
    });

    await step("details", async () => {
      await page.locator(`.results .card:has-text("${title}")`).first().click();
      await page.locator(".details-info h1", { hasText: title }).waitFor({ timeout: 15_000 });
    });

    await step("play", async () => {
      await page.click(".details-info a[data-action=play]");
      await page.waitForURL(/\/watch\//, { timeout: 10_000 });
      // Frames advance: the clock moves and the decoder shows new pictures.
      await page.waitForFunction(
        () => {
          const v = document.querySelector("video");
          return v !== null && v.currentTime > 1.5 && v.getVideoPlaybackQuality().totalVideoFrames > 20;
        },
        undefined,
        { timeout: 60_000 },
      );
      // Watched to the end (a demo title is a few seconds long), then back to its page.
      await page.waitForFunction(() => document.querySelector("video")?.ended === true, undefined, {
        timeout: 60_000,
      });
      await settled(page);
      await page.click("a.back");
      await page.locator(".details-info h1", { hasText: title }).waitFor({ timeout: 15_000 });
    });

    await step("rate", async () => {
      await page.click("button[data-rating=THUMBS_UP]");
      await page.locator(".rating-status", { hasText: "Rated" }).waitFor({ timeout: 10_000 });
      await page.locator(".score", { hasText: "1 rating" }).waitFor({ timeout: 10_000 });
    });

    await step("account", async () => {
      await page.click("button.profile-button");
      await page.locator("#profile-menu a:has-text('Account')").click();
      await page.waitForURL(/\/account$/, { timeout: 10_000 });
      await page.locator(".plan-summary", { hasText: "Active" }).waitFor({ timeout: 15_000 });
      await page.locator(".table tbody tr .tag", { hasText: "Paid" }).waitFor({ timeout: 15_000 });
    });

    await step("signout", async () => {
      await page.click("button.profile-button");
      await page.locator("#profile-menu button:has-text('Sign out')").click();
      await page.waitForURL(/\/signin/, { timeout: 10_000 });
    });
  },
);

test.serial(
  "a kids profile has its own look, no row for grown-ups, and a grown-up title by URL is refused kindly",
  async (t) => {
    t.timeout(240_000);
    if (!front || !platform || !grownUp) return t.fail("no platform");
    t.is(grownUp.maturityRating, MaturityRating.ADULT);
    const member = await createMember(platform.gatewayUrl);
    const { page, problems } = await watched(t);
    t.teardown(async () => {
      t.log(await screenshot(page, "kids-last"));
    });
    await page.goto(`${front.url}/signin`);
    await page.evaluate((s) => localStorage.setItem("marquee.session", s), member.storedSession);

    await page.goto(`${front.url}/profiles`);
    await page.click("button.profile-tile.add");
    await page.fill("dialog input[name=name]", "Little ones");
    await page.check("dialog input[name=kids]");
    await page.click("dialog button[type=submit]");
    await page.locator("button.profile-tile:has-text('Little ones')").click();
    await page.waitForURL((url) => url.pathname === "/", { timeout: 20_000 });

    await page.locator(".hero-title").waitFor({ timeout: 30_000 });
    t.true(await page.evaluate(() => document.documentElement.classList.contains("kids")), "the kids look");
    t.is(await page.locator(".topbar .kids-badge").textContent(), "Kids");
    await loadEveryRow(page);
    t.log(await screenshot(page, "kids-home"));
    const rows = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>("section.row[data-row^=genre-]")].map((s) => ({
        genre: (s.dataset.row ?? "").slice("genre-".length),
        hidden: s.hidden,
        cards: s.querySelectorAll(".card").length,
      })),
    );
    t.log(`kids genre rows: ${rows.map((r) => `${r.genre} (${r.cards})`).join(", ")}`);
    t.is(rows[0]?.genre, "kids", "children's rows first");
    for (const dark of ["horror", "war", "crime", "thriller"]) {
      t.false(
        rows.some((r) => r.genre === dark),
        `no ${dark} row`,
      );
    }
    t.deepEqual(
      rows.filter((r) => r.hidden || r.cards === 0).map((r) => r.genre),
      [],
      "every genre row shown has titles the profile may watch",
    );
    t.deepEqual(problems, [], "the kids home loads without a console error or a 4xx/5xx");

    // A grown-up title by its address: said kindly, with the ways on; never its id.
    await page.goto(`${front.url}/title/${grownUp.contentId}`);
    const refusal = page.locator(".state-unavailable");
    await refusal
      .locator("h1", { hasText: "This title isn't available on this profile" })
      .waitFor({ timeout: 15_000 });
    t.log(await screenshot(page, "kids-grown-up-title"));
    t.notRegex(
      (await page.locator("main").textContent()) ?? "",
      new RegExp(`${grownUp.contentId}|Not found`),
    );
    t.deepEqual(
      (await refusal.locator("a.btn").allTextContents()).map((s) => s.trim()),
      ["Go home", "Switch profile"],
    );

    await page.goto(`${front.url}/watch/${grownUp.contentId}`);
    await page
      .locator(".player-message h2", { hasText: "This title isn't available on this profile" })
      .waitFor({ timeout: 15_000 });
    t.log(await screenshot(page, "kids-grown-up-watch"));

    // An address that is no title at all still says so, in words.
    const unknown = "00000000-0000-4000-8000-000000000000";
    await page.goto(`${front.url}/title/${unknown}`);
    await refusal.locator("h1", { hasText: "We can't find this title" }).waitFor({ timeout: 15_000 });
    t.notRegex((await page.locator("main").textContent()) ?? "", new RegExp(unknown));

    await refusal.locator("a:has-text('Go home')").click();
    await page.waitForURL((url) => url.pathname === "/", { timeout: 10_000 });
    await page.goto(`${front.url}/title/${grownUp.contentId}`);
    await refusal.locator("a:has-text('Switch profile')").click();
    await page.waitForURL(/\/profiles$/, { timeout: 10_000 });

    // The refusals were answers the app asked for and read: the title's details (403 above the cap,
    // 404 for no title) and StreamContent (403), each with the browser's console line for a failed
    // load. Nothing else may have gone wrong.
    const expected = (p: string) =>
      /^(403|404) \w+ .*\/marquee\.(content\.v1\.ContentService\/GetContentDetails|streaming\.v1\.StreamingService\/StreamContent)/.test(
        p,
      ) || /^console: Failed to load resource: the server responded with a status of 40[34]/.test(p);
    t.deepEqual(
      problems.filter((p) => !expected(p)),
      [],
    );
  },
);
