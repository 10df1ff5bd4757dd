/**
 * The operators' QoE view in a real browser (Debian's headless Chromium) against the whole platform
 * in embedded mode: a viewer's simulated heartbeats (known values) reach the view's figures and
 * charts; a member who is not an operator finds no such page and is refused the RPC.
 */
import { durationFromMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@marquee/sdk";
import { PlaybackState } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import test from "ava";
import { launch, screenshot } from "./browser.js";
import { buildApp, type Front, frontFor } from "./front.js";
import { createMember, type Member, type Platform, startPlatform, waitForPlayableTitle } from "./platform.js";

const OPERATOR_EMAIL = `operator-${Date.now()}@example.com`;

let platform: Platform | undefined;
let front: Front | undefined;
let operator: Member | undefined;
let viewer: Member | undefined;

test.before(async (t) => {
  t.timeout(600_000, "platform start");
  await buildApp();
  platform = await startPlatform({ demoSeconds: 4, env: { MARQUEE_OPERATOR_EMAILS: OPERATOR_EMAIL } });
  front = await frontFor(platform.gatewayUrl, platform.streamingUrl);
  operator = await createMember(platform.gatewayUrl, undefined, OPERATOR_EMAIL);
  viewer = await createMember(platform.gatewayUrl);
});

test.after.always(async () => {
  await front?.close();
  await platform?.stop();
});

/**
 * One session: 720p at 3 Mb/s (first frame after 1.2 s), then 1080p from the third reading; 3 frames
 * dropped, 0.5 s stalled over 20 s watched: startup 1.20 s, rebuffer 2.50 %, bitrate 3.0 Mbps (the
 * 1080p reading is the last, so no time was played at it), 1 switch.
 */
async function simulateViewing(member: Member, contentId: string): Promise<void> {
  const { sessionId } = await member.api.streaming.streamContent({
    profileId: member.profileId,
    contentId,
    deviceId: "qoe-test",
  });
  const now = Date.now();
  const reading = (
    i: number,
    rendition: string,
    bitrateBps: bigint,
    dropped: bigint,
    rebufferMs: number,
  ) => ({
    sequence: BigInt(i + 1),
    eventTime: timestampFromMs(now - 30_000 + i * 10_000),
    position: durationFromMs(i * 1000),
    state: PlaybackState.PLAYING,
    renditionId: rendition,
    bitrateBps,
    droppedFrames: dropped,
    rebufferDuration: durationFromMs(rebufferMs),
    startupDuration: durationFromMs(1200),
  });
  await member.api.streaming.sendHeartbeats({
    sessionId,
    readings: [
      reading(0, "720p", 3_000_000n, 0n, 0),
      reading(1, "720p", 3_000_000n, 2n, 0),
      reading(2, "1080p", 6_000_000n, 3n, 500),
    ],
  });
}

test.serial(
  "an operator sees the simulated viewing in the QoE view: figures, six charts, tables",
  async (t) => {
    t.timeout(720_000);
    if (!front || !operator || !viewer || !platform) return t.fail("no platform");
    const title = await waitForPlayableTitle(viewer.api, 600_000, undefined, platform);
    await simulateViewing(viewer, title.contentId);

    const browser = await launch();
    t.teardown(() => browser.close());
    const page = browser.page;
    page.on("pageerror", (e) => t.log(`pageerror: ${e.message}`));
    await page.goto(`${front.url}/signin`);
    await page.evaluate((s) => localStorage.setItem("marquee.session", s), operator.storedSession);
    await page.goto(`${front.url}/operator`);
    await page.waitForSelector("h1:has-text('Quality of experience')", { timeout: 20_000 });
    await page.waitForFunction(() => document.querySelectorAll(".qoe-chart canvas").length === 6, undefined, {
      timeout: 20_000,
    });
    const tiles = async () =>
      page.$$eval(".qoe-tile", (els) =>
        els.map((e) => (e as HTMLElement).innerText.replace(/\s+/g, " ").trim()),
      );
    // The report reaches the aggregate through the bus; the page refreshes every 5 s.
    await page.waitForFunction(
      () => [...document.querySelectorAll(".qoe-tile")].some((e) => e.textContent?.includes("1.20 s")),
      undefined,
      { timeout: 30_000 },
    );
    t.deepEqual(await tiles(), [
      "Playing now 1",
      "Startup time 1.20 s",
      "Rebuffer ratio 2.50 %",
      "Average bitrate 3.0 Mbps",
      "Switches 1",
      "Dropped frames 3",
    ]);
    const country = await page.$$eval(".qoe-table", (sections) =>
      sections
        .filter((s) => s.querySelector("h2")?.textContent === "By country")
        .map((s) => s.querySelector("tbody td")?.textContent),
    );
    t.deepEqual(country, ["NO"]);
    // Titles are named once their details arrive (from the next refresh on).
    await page.waitForFunction(
      (name) =>
        [...document.querySelectorAll(".qoe-table")].some(
          (s) =>
            s.querySelector("h2")?.textContent === "By title" &&
            s.querySelector("tbody td")?.textContent === name,
        ),
      title.title,
      { timeout: 20_000 },
    );
    t.log(await screenshot(page, "operator-qoe"));
  },
);

test.serial("a member who is not an operator finds no QoE page and is refused GetQoeSummary", async (t) => {
  if (!front || !viewer) return t.fail("no platform");
  const err = await t.throwsAsync(viewer.api.streaming.getQoeSummary({ sessionLimit: 1 }));
  t.is(ConnectError.from(err).code, Code.PermissionDenied);
  const browser = await launch();
  t.teardown(() => browser.close());
  await browser.page.goto(`${front.url}/signin`);
  await browser.page.evaluate((s) => localStorage.setItem("marquee.session", s), viewer.storedSession);
  await browser.page.goto(`${front.url}/operator`);
  await browser.page.waitForSelector("h2:has-text('Page not found')", { timeout: 20_000 });
  t.is(await browser.page.locator(".qoe-chart").count(), 0);
});
