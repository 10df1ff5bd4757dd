/**
 * Audio languages and subtitles in a real browser (Debian's headless
 * Chromium) against the whole platform in embedded mode: the demo title
 * "Test Signal" carries English and French audio and subtitles (made at first
 * start by the ingest path). Switching subtitles shows the chosen language's
 * cue at the time it is for; switching audio fetches the other audio
 * AdaptationSet; the choice and the subtitle style come back for the same
 * profile; the plan's cap holds throughout.
 */

import { waitFor } from "@marquee/kit/testing";
import { type Content, PlanTier } from "@marquee/sdk";
import test from "ava";
import type { Page } from "playwright-core";
import { launch, screenshot } from "./browser.js";
import { buildApp, type Front, frontFor } from "./front.js";
import { createMember, type Platform, startPlatform, waitForPlayableTitle } from "./platform.js";

let platform: Platform | undefined;
let front: Front | undefined;
let title: Content | undefined;

test.before(async (t) => {
  t.timeout(900_000, "platform start and demo media ingest");
  await buildApp();
  platform = await startPlatform({ demoSeconds: 30 });
  const probe = await createMember(platform.gatewayUrl);
  title = await waitForPlayableTitle(probe.api, 720_000, ["Test Signal"], platform);
  front = await frontFor(platform.gatewayUrl, platform.streamingUrl);
});

test.after.always(async () => {
  await front?.close();
  await platform?.stop();
});

interface ShownCue {
  showing: number;
  language?: string;
  text?: string;
  start?: number;
  end?: number;
  now: number;
}

/** The text tracks the video shows and the first active cue of the one showing. */
const shownCue = (page: Page): Promise<ShownCue> =>
  page.evaluate(() => {
    const v = (globalThis as unknown as { document: Document }).document.querySelector("video");
    if (v === null) return { showing: 0, now: -1 };
    const showing = [...v.textTracks].filter((tt) => tt.mode === "showing");
    const cue = showing[0]?.activeCues?.[0] as VTTCue | undefined;
    return {
      showing: showing.length,
      language: showing[0]?.language,
      text: cue?.text,
      start: cue?.startTime,
      end: cue?.endTime,
      now: v.currentTime,
    };
  });

const currentTime = (page: Page) =>
  page.evaluate(
    () =>
      (globalThis as unknown as { document: Document }).document.querySelector("video")?.currentTime ?? -1,
  );

/** Opens a media-chrome menu by its button and picks the item with `value`. */
async function pick(page: Page, menu: string, value: string): Promise<void> {
  await page.hover("video");
  await page.click(`.${menu}-btn`);
  await page.click(`#${menu} media-chrome-menu-item[value="${value}"]`);
}

/** Waits for a cue of `language` on screen and checks it is the one for the video's time. */
async function cueOnTime(page: Page, language: string): Promise<ShownCue> {
  const shown = await waitFor(
    `a ${language} cue on screen`,
    async () => {
      const s = await shownCue(page);
      return s.language === language && s.text !== undefined ? s : undefined;
    },
    20_000,
  );
  assertCue(shown, language, Math.round(shown.start as number));
  return shown;
}

/** Synthetic cues: one every 2 s, 1.5 s long, saying their language and start time ("[fr] 0:04"). */
function assertCue(shown: ShownCue, language: string, seconds: number): void {
  const expected = `[${language}] ${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  if (shown.text !== expected) throw new Error(`cue "${shown.text}", expected "${expected}"`);
  if (seconds % 2 !== 0) throw new Error(`a cue starting at ${shown.start}`);
  if (!(shown.now >= (shown.start as number) - 0.25 && shown.now <= (shown.end as number) + 0.25))
    throw new Error(`cue ${shown.start}–${shown.end} shown at ${shown.now}`);
  if (shown.showing !== 1) throw new Error(`${shown.showing} text tracks showing`);
}

test.serial(
  "subtitles show the chosen language on time, audio switches AdaptationSet, and the choice is remembered",
  async (t) => {
    t.timeout(300_000);
    if (!front || !title || !platform) return t.fail("no platform");
    // Basic: HD at most, so the plan's cap must hold while tracks change.
    const member = await createMember(platform.gatewayUrl, PlanTier.BASIC);
    const browser = await launch();
    t.teardown(() => browser.close());
    const { page } = browser;
    page.on("pageerror", (e) => t.log(`pageerror: ${e.message}`));
    const media: string[] = [];
    const everything: string[] = [];
    page.on("request", (r) => {
      const m = /\/media\/s\/[^/]+\/[^/]+\/([^/?]+)/.exec(r.url());
      if (m) media.push(m[1] as string);
      if (m) everything.push(m[1] as string);
    });
    await page.goto(`${front.url}/signin`);
    await page.evaluate((s) => localStorage.setItem("marquee.session", s), member.storedSession);
    await page.goto(`${front.url}/watch/${title.contentId}`);
    await page.waitForSelector(".subtitles-menu-btn:not([hidden])", { timeout: 30_000 });
    await waitFor("1 s of playback", async () => (await currentTime(page)) >= 1, 30_000);

    // Off by default; two languages each in both menus (from the MPD's labels).
    t.is((await shownCue(page)).showing, 0);
    t.deepEqual(
      await page.$$eval("#subtitles-menu media-chrome-menu-item", (els) => els.map((e) => e.textContent)),
      ["Off", "English", "Français"],
    );
    t.deepEqual(
      await page.$$eval("#audio-menu media-chrome-menu-item", (els) => els.map((e) => e.textContent)),
      ["English", "Français"],
    );
    t.true(
      media.some((f) => /^chunk-audio-\d+\.m4s$/.test(f)),
      "the main audio plays first",
    );
    t.false(
      media.some((f) => f.includes("audio2")),
      "the dub is not fetched before it is chosen",
    );

    await pick(page, "subtitles-menu", "1");
    await cueOnTime(page, "fr");
    // A later cue too: the cues keep time as playback goes on.
    const first = await cueOnTime(page, "fr");
    await waitFor(
      "the next cue",
      async () => {
        const s = await shownCue(page);
        return s.text !== undefined && s.start !== first.start ? s : undefined;
      },
      10_000,
    ).then((s) => assertCue(s, "fr", Math.round(s.start as number)));
    await pick(page, "subtitles-menu", "0");
    await cueOnTime(page, "en");
    t.log(await screenshot(page, "subtitles-en"));

    const before = media.length;
    await pick(page, "audio-menu", "1");
    await waitFor(
      "segments of the French audio",
      () => media.slice(before).some((f) => /^chunk-audio2-\d+\.m4s$/.test(f)),
      20_000,
    );
    t.true(media.includes("init-audio2.m4s"));

    // Bigger text on a solid box, applied at once.
    await pick(page, "subtitle-style-menu", "large");
    await pick(page, "subtitle-style-menu", "solid");
    const css = await page.evaluate(
      () =>
        (globalThis as unknown as { document: Document }).document.getElementById("marquee-cue-style")
          ?.textContent,
    );
    t.regex(css ?? "", /font-size: 140%/);
    t.regex(css ?? "", /background-color: rgb\(0 0 0\);/);

    // The same profile, the next time: French audio and English subtitles from the start, same style.
    media.length = 0;
    await page.reload();
    await waitFor("1 s of playback after reload", async () => (await currentTime(page)) >= 1, 30_000);
    await cueOnTime(page, "en");
    await waitFor(
      "the French audio at once",
      () => media.some((f) => /^chunk-audio2-\d+\.m4s$/.test(f)),
      20_000,
    );
    // The start's prefetch (before the manifest is read) takes the main audio's first segment; dash.js no more.
    t.true(
      media.filter((f) => /^chunk-audio-\d+\.m4s$/.test(f)).length <= 1,
      "the English audio is not played when French was chosen",
    );
    t.regex(
      (await page.evaluate(
        () =>
          (globalThis as unknown as { document: Document }).document.getElementById("marquee-cue-style")
            ?.textContent,
      )) ?? "",
      /font-size: 140%/,
    );
    await pick(page, "subtitles-menu", "off");
    await waitFor("no subtitles", async () => (await shownCue(page)).showing === 0, 10_000);
    t.deepEqual(
      JSON.parse(
        (await page.evaluate((k) => localStorage.getItem(k), `marquee.tracks.${member.profileId}`)) ?? "{}",
      ),
      { audio: "fr", text: "off", size: "large", solid: true },
    );
    t.false(
      everything.some((f) => /1080p/.test(f)),
      "no rendition above the plan's HD cap was requested",
    );
  },
);
