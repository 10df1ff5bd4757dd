/**
 * The member's way around the app in a real browser (Debian's headless
 * Chromium) against the whole platform in embedded mode: a declined card then
 * a good one, the profile menu, the score after a rating, the sign-in copy.
 */

import { Code, ConnectError, type Content, createMarquee } from "@marquee/sdk";
import test from "ava";
import type { Page } from "playwright-core";
import { launch, screenshot } from "./browser.js";
import { buildApp, type Front, frontFor } from "./front.js";
import { createMember, type Member, type Platform, startPlatform } from "./platform.js";

let platform: Platform | undefined;
let front: Front | undefined;
let title: Content | undefined;

test.before(async (t) => {
  t.timeout(600_000, "platform start");
  await buildApp();
  platform = await startPlatform({ demoSeconds: 4 });
  front = await frontFor(platform.gatewayUrl, platform.streamingUrl);
  const browsing = await createMember(platform.gatewayUrl);
  title = (await browsing.api.content.browseContent({ pageSize: 1 })).contents[0];
  t.log(`app at ${front.url}; title "${title?.title}"`);
});

test.after.always(async () => {
  await front?.close();
  await platform?.stop();
});

async function browse(t: { teardown: (fn: () => Promise<void>) => void; log: (...v: unknown[]) => void }) {
  const browser = await launch();
  t.teardown(() => browser.close());
  browser.page.on("pageerror", (e) => t.log(`pageerror: ${e.message}`));
  return browser.page;
}

/** Opens the app signed in as the member, with their profile selected, at `path`. */
async function signedIn(page: Page, member: Member, path: string): Promise<void> {
  if (!front) throw new Error("no front");
  await page.goto(`${front.url}/signin`);
  await page.evaluate((s) => localStorage.setItem("marquee.session", s), member.storedSession);
  await page.goto(`${front.url}${path}`);
}

test.serial("sign-up: the Country field stays inside the card", async (t) => {
  if (!front) return t.fail("no platform");
  const page = await browse(t);
  await page.goto(`${front.url}/signup`);
  const overflow = await page.evaluate(() => {
    const doc = (globalThis as unknown as { document: Document }).document;
    const card = doc.querySelector(".auth-card") as HTMLElement;
    const inner = card.getBoundingClientRect().right - Number.parseFloat(getComputedStyle(card).paddingRight);
    return [...doc.querySelectorAll(".auth-card input")].map((input) => ({
      name: input.getAttribute("name"),
      past: input.getBoundingClientRect().right - inner,
    }));
  });
  t.log(await screenshot(page, "signup"));
  t.true(overflow.length >= 5);
  t.deepEqual(
    overflow.filter((f) => f.past > 0.5),
    [],
    "every field ends inside the card's padding",
  );
});

test.serial("a declined card, then a good card on the same page, subscribes", async (t) => {
  t.timeout(120_000);
  if (!front) return t.fail("no platform");
  const page = await browse(t);
  await page.goto(`${front.url}/signup`);
  await page.fill("input[name=name]", "Grace Hopper");
  await page.fill("input[name=email]", `grace-${Date.now()}@example.com`);
  await page.fill("input[name=password]", "compiler-1952-cobol");
  await page.fill("input[name=dateOfBirth]", "1980-12-09");
  await page.fill("input[name=country]", "US");
  await page.click("button[type=submit]");
  await page.waitForURL(/\/plans/, { timeout: 20_000 });

  await page.fill("input[name=paymentToken]", "4000 0000 0000 0002");
  await page.click("button:has-text('Start membership')");
  const error = page.locator(".form-error");
  await error.filter({ hasText: "Card declined" }).waitFor({ timeout: 20_000 });
  const said = (await error.textContent()) ?? "";
  t.log(`decline: ${said}`);
  t.log(await screenshot(page, "plans-declined"));
  t.regex(said, /declined this card.*Try another card/);
  t.notRegex(said, /idempotency|_key|FailedPrecondition/i);

  await page.fill("input[name=paymentToken]", "4242 4242 4242 4242");
  await page.click("button:has-text('Start membership')");
  await page.waitForURL(/\/profiles/, { timeout: 20_000 });

  // One paid invoice: the decline charged nothing, the good card was charged once.
  await page.goto(`${front.url}/account`);
  await page.waitForSelector(".table tbody tr", { timeout: 20_000 });
  t.deepEqual(await page.locator(".table tbody tr .tag").allTextContents(), ["Paid"]);
  t.regex((await page.textContent(".plan-summary")) ?? "", /Active/);
});

test.serial(
  "the profile menu is on every signed-in page, and signing out from a title page works",
  async (t) => {
    t.timeout(120_000);
    if (!front || !platform || !title) return t.fail("no platform");
    const member = await createMember(platform.gatewayUrl);
    const page = await browse(t);
    const menu = page.locator("#profile-menu");
    const button = page.locator("button.profile-button");
    for (const path of ["/", `/search?q=${encodeURIComponent(title.title)}`, "/account", "/profiles"]) {
      await signedIn(page, member, path);
      await button.waitFor({ timeout: 15_000 });
      t.pass(`menu on ${path}`);
    }

    await signedIn(page, member, `/title/${title.contentId}`);
    await page.waitForSelector(".details-info h1", { timeout: 15_000 });
    await button.click();
    await menu.waitFor({ state: "visible" });
    t.is(await button.getAttribute("aria-expanded"), "true");
    t.deepEqual(
      (await menu.locator(".menu-item").allTextContents()).map((s) => s.trim()),
      ["Switch profile", "Account", "Sign out"],
    );
    t.log(await screenshot(page, "profile-menu"));
    await page.keyboard.press("Escape");
    await menu.waitFor({ state: "hidden" });
    t.is(await button.getAttribute("aria-expanded"), "false");

    // "Account" from the menu.
    await button.click();
    await menu.locator("a:has-text('Account')").click();
    await page.waitForURL(/\/account$/, { timeout: 10_000 });

    // "Sign out" from a title page: back at sign-in, nothing stored, the session ended on the server.
    await page.goto(`${front.url}/title/${title.contentId}`);
    await page.waitForSelector(".details-info h1", { timeout: 15_000 });
    await button.click();
    await menu.locator("button:has-text('Sign out')").click();
    await page.waitForURL(/\/signin/, { timeout: 10_000 });
    t.is(await page.evaluate(() => localStorage.getItem("marquee.session")), null);
    await page.goto(`${front.url}/title/${title.contentId}`);
    await page.waitForURL(/\/signin/, { timeout: 10_000 });
    const { refreshToken } = (JSON.parse(member.storedSession) as { tokens: { refreshToken: string } })
      .tokens;
    const refused = await createMarquee({ baseUrl: platform.gatewayUrl })
      .user.refreshSession({ refreshToken })
      .catch((err: unknown) => err);
    t.true(refused instanceof ConnectError && refused.code === Code.Unauthenticated, String(refused));
  },
);

test.serial("a rating changes the community score on the page at once", async (t) => {
  t.timeout(120_000);
  if (!front || !platform || !title) return t.fail("no platform");
  const member = await createMember(platform.gatewayUrl);
  const contentId = title.contentId;
  const page = await browse(t);
  await signedIn(page, member, `/title/${contentId}`);
  await page.waitForSelector(".details-info h1", { timeout: 15_000 });
  // Set on this document only: still there afterwards means the page never reloaded.
  await page.evaluate(() => {
    (globalThis as unknown as { sameDocument: boolean }).sameDocument = true;
  });

  /** The score line for the title's counts as the service has them now. */
  const expected = async () => {
    const r = await member.api.feedback.getContentRatings({ contentId });
    const total = Number(r.thumbsDownCount + r.thumbsUpCount + r.doubleThumbsUpCount);
    return total === 0
      ? ""
      : `${Math.round(r.score)}% liked it · ${total} ${total === 1 ? "rating" : "ratings"}`;
  };
  const shows = async (text: string) => {
    await page.waitForFunction(
      (want) =>
        (globalThis as unknown as { document: Document }).document.querySelector(".score")?.textContent ===
        want,
      text,
      { timeout: 10_000 },
    );
  };
  const before = await member.api.feedback.getContentRatings({ contentId });
  await shows(await expected());

  await page.click("button[data-rating=DOUBLE_THUMBS_UP]");
  await page.waitForSelector(".rating-status:has-text('Rated')", { timeout: 10_000 });
  const loved = await expected();
  const after = await member.api.feedback.getContentRatings({ contentId });
  t.is(after.doubleThumbsUpCount, before.doubleThumbsUpCount + 1n);
  await shows(loved);
  t.log(`after "Love this": ${loved}`);
  t.log(await screenshot(page, "details-rated"));

  await page.click("button[data-rating=THUMBS_DOWN]");
  await page.waitForSelector(".rating-status:has-text('Not for me')", { timeout: 10_000 });
  const disliked = await expected();
  t.not(disliked, loved);
  await shows(disliked);

  await page.click("button[data-rating=THUMBS_DOWN]");
  await page.waitForSelector(".rating-status:has-text('Rating removed')", { timeout: 10_000 });
  await shows(await expected());
  t.true(
    await page.evaluate(() => (globalThis as unknown as { sameDocument?: boolean }).sameDocument === true),
  );
});

test.serial("a wrong password says so plainly, not that the session ended", async (t) => {
  if (!front || !platform) return t.fail("no platform");
  const member = await createMember(platform.gatewayUrl);
  const page = await browse(t);
  await page.goto(`${front.url}/signin`);
  await page.fill("input[name=email]", member.email);
  await page.fill("input[name=password]", "not the password at all");
  await page.click("button[type=submit]");
  const error = page.locator(".form-error:not([hidden])");
  await error.waitFor({ timeout: 15_000 });
  const said = (await error.textContent()) ?? "";
  t.log(await screenshot(page, "signin-wrong-password"));
  t.regex(said, /That email and password don't match/);
  t.notRegex(said, /sign in again/i);

  // The right password still signs in from the same form.
  await page.fill("input[name=password]", member.password);
  await page.click("button[type=submit]");
  await page.waitForURL(/\/profiles/, { timeout: 15_000 });
});
