/**
 * Everything in the catalog plays: a generated title picked at random plays
 * in Chromium (frames advance) once its demo pool clip is made, and a title
 * with no media shows "Coming soon" with no Play button, and the player tells
 * the service's reason, never a membership message.
 */

import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { waitFor } from "@marquee/kit/testing";
import { Code, ConnectError, ContentType, createMarquee, MaturityRating } from "@marquee/sdk";
import {
  StreamRefusal_Reason,
  StreamRefusalSchema,
} from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import test from "ava";
import type { Page } from "playwright-core";
import { launch, screenshot } from "./browser.js";
import { buildApp, type Front, frontFor } from "./front.js";
import { createMember, DEMO_TITLE_NAMES, type Member, type Platform, startPlatform } from "./platform.js";

/** The partner key `npm start` configures (scripts/local-partner-key.ts): catalog:write. */
const LOCAL_PARTNER_API_KEY = "marquee-local-partner-key";

let platform: Platform | undefined;
let front: Front | undefined;
let member: Member | undefined;

const currentTime = (page: Page): Promise<number> =>
  page.evaluate(
    () =>
      (globalThis as unknown as { document: Document }).document.querySelector("video")?.currentTime ?? -1,
  );

test.before(async (t) => {
  t.timeout(900_000, "platform start and the demo pool");
  await buildApp();
  platform = await startPlatform({ demoSeconds: 4, pool: true, env: { MARQUEE_CONTENT_SEED_SIZE: "400" } });
  member = await createMember(platform.gatewayUrl);
  front = await frontFor(platform.gatewayUrl, platform.streamingUrl);
});

test.after.always(async () => {
  await front?.close();
  await platform?.stop();
});

async function signedIn(
  t: { teardown: (fn: () => Promise<void>) => void; log: (m: string) => void },
  who: Member | undefined = member,
) {
  const browser = await launch();
  t.teardown(() => browser.close());
  const errors: string[] = [];
  browser.page.on("pageerror", (e) => errors.push(e.message));
  await browser.page.goto(`${front?.url}/signin`);
  await browser.page.evaluate((s) => localStorage.setItem("marquee.session", s), who?.storedSession ?? "");
  return { page: browser.page, errors };
}

test.serial(
  "a generated title picked at random plays in the browser once its pool clip is made",
  async (t) => {
    // The 13 demo clips are made one after another, each now with its seek-bar sprites: up to ~20 min
    // on a loaded 2-core machine for the last one.
    t.timeout(1_500_000);
    if (!platform || !front || !member) return t.fail("no platform");
    const api = member.api;
    const page = await api.content.browseContent({ genreId: "drama", pageSize: 50 });
    const movies = page.contents.filter(
      (c) => c.type === ContentType.MOVIE && !DEMO_TITLE_NAMES.includes(c.title),
    );
    const title = movies[Math.floor(Math.random() * movies.length)];
    if (!title) return t.fail("no generated movie in the catalog");
    t.true(title.playable, "listed as playable");
    t.regex(title.media?.assetId ?? "", /^demo-pool-\d\d$/, "it points at a pool clip");
    t.log(`"${title.title}" plays ${title.media?.assetId}`);
    const started = Date.now();
    // Until its clip lands StreamContent says the media is being prepared, not that it has none.
    await waitFor(
      "the title's pool clip to be made",
      async () => {
        try {
          const s = await api.streaming.streamContent({
            profileId: member?.profileId ?? "",
            contentId: title.contentId,
            deviceId: "probe",
          });
          await api.streaming.stopStream({ sessionId: s.sessionId });
          return true;
        } catch (err) {
          const e = ConnectError.from(err);
          const reason = e.findDetails(StreamRefusalSchema)[0]?.reason;
          if (e.code !== Code.FailedPrecondition || reason !== StreamRefusal_Reason.MEDIA_NOT_READY)
            throw err;
          return false;
        }
      },
      1_400_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nplatform log:\n${platform?.logTail()}`);
    });
    t.log(`playable ${((Date.now() - started) / 1000).toFixed(0)} s after the test began waiting`);

    const { page: browser, errors } = await signedIn(t);
    await browser.goto(`${front.url}/title/${title.contentId}`);
    await browser.click("a[data-action=play]", { timeout: 20_000 });
    await browser.waitForURL(/\/watch\//, { timeout: 10_000 });
    await waitFor("2 s of playback", async () => (await currentTime(browser)) >= 2, 60_000);
    const at = await currentTime(browser);
    await waitFor("frames to advance", async () => (await currentTime(browser)) >= at + 2, 30_000);
    t.log(await screenshot(browser, "catalog-title-plays"));
    // Watched past the first seconds: leaving reports the position, and the details page offers to resume.
    await waitFor("8 s of playback", async () => (await currentTime(browser)) >= 8, 30_000);
    await browser.goto(`${front.url}/title/${title.contentId}`);
    await waitFor(
      "the position to be recorded",
      async () => {
        const { progress } = await api.streaming.getPlaybackPosition({
          profileId: member?.profileId ?? "",
          contentId: title.contentId,
        });
        return Number(progress?.position?.seconds ?? 0) >= 5;
      },
      30_000,
    );
    await browser.reload();
    await browser.locator("a[data-action=play]", { hasText: "Resume" }).waitFor({ timeout: 20_000 });
    t.log(await screenshot(browser, "catalog-title-resume"));
    t.deepEqual(errors, []);
  },
);

test.serial(
  "a title with no media shows Coming soon and no Play button; the player tells the service's reason",
  async (t) => {
    t.timeout(120_000);
    if (!platform || !front || !member) return t.fail("no platform");
    const operator = createMarquee({ baseUrl: platform.gatewayUrl, apiKey: LOCAL_PARTNER_API_KEY });
    const name = "Quorrel Windmere";
    const { content } = await operator.content.createContent({
      content: {
        type: ContentType.MOVIE,
        title: name,
        genreIds: ["drama"],
        releaseDate: "2026-01-01",
        duration: durationFromMs(95 * 60_000),
        synopsis: "Not shot yet.",
        maturityRating: MaturityRating.ALL,
      },
    });
    const contentId = content?.contentId ?? "";
    await operator.content.publishContent({ contentId });

    const refused = await member.api.streaming
      .streamContent({ profileId: member.profileId, contentId, deviceId: "probe" })
      .then(
        () => undefined,
        (err: unknown) => ConnectError.from(err),
      );
    t.is(refused?.code, Code.FailedPrecondition);
    t.is(refused?.findDetails(StreamRefusalSchema)[0]?.reason, StreamRefusal_Reason.NO_MEDIA);
    t.regex(refused?.rawMessage ?? "", /no playable media/);

    // A member of its own: refresh tokens rotate, so a session an earlier browser refreshed is spent.
    const { page, errors } = await signedIn(t, await createMember(platform.gatewayUrl));
    await page.goto(`${front.url}/title/${contentId}`);
    await page.waitForSelector(".details [data-state=coming-soon]", { timeout: 20_000 });
    t.is(await page.locator("a[data-action=play]").count(), 0, "no Play button on the details page");
    t.log(await screenshot(page, "coming-soon-details"));

    await page.goto(`${front.url}/search?q=${encodeURIComponent(name)}`);
    const card = page.locator(`.card[data-content-id="${contentId}"]`);
    await card.waitFor({ timeout: 20_000 });
    t.is(await card.locator(".card-soon").count(), 1, "the card says it is coming soon");
    t.log(await screenshot(page, "coming-soon-search"));

    // Opened by URL all the same: the player says why, in the service's words, and offers no plan.
    await page.goto(`${front.url}/watch/${contentId}`);
    await page.getByText("no playable media yet", { exact: false }).waitFor({ timeout: 20_000 });
    const text = await page.locator("body").innerText();
    t.regex(text, /Coming soon/);
    t.notRegex(text, /membership|Choose a plan/i);
    t.log(await screenshot(page, "coming-soon-player"));
    t.deepEqual(errors, []);
  },
);

test.serial(
  "every card on home shows its generated poster the first time, with the title printed once",
  async (t) => {
    t.timeout(120_000);
    if (!platform || !front || !member) return t.fail("no platform");
    const { page, errors } = await signedIn(t, await createMember(platform.gatewayUrl));
    const failed: string[] = [];
    page.on("response", (r) => {
      if (r.url().includes("/artwork/") && r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${front.url}/`);
    const cards = page.locator("[data-row^='genre-'] .card");
    await cards.first().waitFor({ timeout: 20_000 });
    const first = cards.first();
    // Posters load lazily: the genre rows start below the hero, so bring the card into view as a member would.
    await first.scrollIntoViewIfNeeded();
    await first.locator(".poster-art.loaded img").waitFor({ timeout: 20_000 });
    const size = await first
      .locator("img")
      .evaluate((img) => [(img as HTMLImageElement).naturalWidth, (img as HTMLImageElement).naturalHeight]);
    t.deepEqual(size, [400, 600], "a real 2:3 picture, drawn at twice the card's size");
    t.false(
      await first.locator(".poster-fallback").isVisible(),
      "the drawn fallback is hidden once it loads",
    );
    const label = (await first.getAttribute("aria-label")) ?? "";
    const title = label.replace(/ \(\d{4}\).*$/, "");
    t.false((await first.innerText()).includes(title), "the title is in the picture, not printed again");

    const src = (await first.locator("img").getAttribute("src")) ?? "";
    const answer = await fetch(new URL(src, front.url));
    t.is(answer.headers.get("content-type"), "image/jpeg");
    t.regex(answer.headers.get("cache-control") ?? "", /immutable/);
    t.log(await screenshot(page, "home-artwork"));
    t.deepEqual(failed, []);
    t.deepEqual(errors, []);
  },
);
