import test from "ava";
import {
  formatBitrate,
  formatClock,
  formatMoney,
  formatRendition,
  formatRuntime,
  formatSeconds,
  statsLines,
} from "../src/lib/format.js";

test("bitrates", (t) => {
  t.is(formatBitrate(4_200_000), "4.2 Mbps");
  t.is(formatBitrate(12_400_000), "12 Mbps");
  t.is(formatBitrate(850_000), "850 kbps");
  t.is(formatBitrate(3_000_000n), "3.0 Mbps");
  t.is(formatBitrate(0), "—");
  t.is(formatBitrate(Number.NaN), "—");
  t.is(formatBitrate(undefined), "—");
});

test("clock, runtime and seconds", (t) => {
  t.is(formatClock(0), "0:00");
  t.is(formatClock(245.9), "4:05");
  t.is(formatClock(3729), "1:02:09");
  t.is(formatClock(Number.NaN), "0:00");
  t.is(formatRuntime(6720), "1 h 52 min");
  t.is(formatRuntime(2820), "47 min");
  t.is(formatRuntime(30), "30 s");
  t.is(formatRuntime(0), "");
  t.is(formatSeconds(12.345), "12.3 s");
  t.is(formatSeconds(-1), "—");
});

test("renditions and money", (t) => {
  t.is(formatRendition({ id: "720p", height: 720 }), "720p");
  t.is(formatRendition({ id: "v3", height: 1080 }), "1080p (v3)");
  t.is(formatRendition({ id: "audio" }), "audio");
  t.is(formatRendition(undefined), "—");
  t.is(formatMoney({ currencyCode: "USD", amountMinor: 1549n }), "$15.49");
  t.is(formatMoney({ currencyCode: "", amountMinor: 0n }), "—");
});

test("stats overlay lines", (t) => {
  t.deepEqual(
    statsLines({
      renditionId: "480p",
      height: 480,
      width: 854,
      bitrateBps: 1_200_000,
      targetId: "720p",
      targetHeight: 720,
      targetBitrateBps: 2_500_000,
      abrReason: "fits",
      throughputBps: 5_300_000,
      bufferSeconds: 18.04,
      droppedFrames: 2,
      rebuffers: 1,
      rebufferMs: 800,
      maxHeight: 720,
    }),
    [
      ["Rendition", "480p"],
      ["Bitrate", "1.2 Mbps"],
      ["Target", "720p · 2.5 Mbps (fits)"],
      ["Throughput", "5.3 Mbps"],
      ["Buffer", "18.0 s"],
      ["Dropped frames", "2"],
      ["Rebuffers", "1 (0.8 s)"],
      ["Plan cap", "720p"],
    ],
  );
  t.deepEqual(
    statsLines({}).map(([, v]) => v),
    ["—", "—", "—", "—", "—", "—", "—", "none"],
  );
});
