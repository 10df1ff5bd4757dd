import { VideoQuality } from "@marquee/sdk/marquee/common/v1/video_quality_pb";
import test from "ava";
import { planCap } from "../src/player/cap.js";
import { firstSegmentUrls } from "../src/player/prefetch.js";
import { rebaseUrl, renewAt } from "../src/player/urls.js";

test("rebaseUrl: a signature in the path prefix moves to the new prefix", (t) => {
  const original = "http://h/media/s/OLD/asset1/manifest.mpd";
  const current = "http://h/media/s/NEW/asset1/manifest.mpd";
  t.is(rebaseUrl(original, original, current), current);
  t.is(
    rebaseUrl("http://h/media/s/OLD/asset1/720p/seg-3.m4s", original, current),
    "http://h/media/s/NEW/asset1/720p/seg-3.m4s",
  );
  t.is(rebaseUrl("http://other/x.m4s", original, current), "http://other/x.m4s");
});

test("rebaseUrl: a signature in the query string is replaced", (t) => {
  const original = "http://h/media/a1/manifest.mpd?exp=1&sig=old";
  const current = "http://h/media/a1/manifest.mpd?exp=2&sig=new";
  t.is(
    rebaseUrl("http://h/media/a1/720p/seg-1.m4s?exp=1&sig=old", original, current),
    "http://h/media/a1/720p/seg-1.m4s?exp=2&sig=new",
  );
  t.is(
    rebaseUrl("http://h/media/a1/720p/seg-1.m4s", original, current),
    "http://h/media/a1/720p/seg-1.m4s?exp=2&sig=new",
  );
  t.is(rebaseUrl("http://h/media/a1/x.m4s?v=1", original, original), "http://h/media/a1/x.m4s?v=1");
});

test("renewAt: a minute early, or halfway for short lifetimes", (t) => {
  t.is(renewAt(0, 600_000), 540_000);
  t.is(renewAt(0, 60_000), 30_000);
  t.is(renewAt(1000, 500), 1000);
});

test("planCap: the stricter of allowed renditions and max quality", (t) => {
  const ladder = [
    { renditionId: "240p", height: 240, bitrateBps: 400_000n },
    { renditionId: "480p", height: 480, bitrateBps: 1_000_000n },
    { renditionId: "720p", height: 720, bitrateBps: 2_500_000n },
    { renditionId: "1080p", height: 1080, bitrateBps: 5_000_000n },
  ];
  t.deepEqual(planCap(ladder, VideoQuality.HD), { maxHeight: 720, maxBitrateKbps: 2750 });
  t.deepEqual(planCap(ladder.slice(0, 3), VideoQuality.ULTRA_HD), { maxHeight: 720, maxBitrateKbps: 2750 });
  t.deepEqual(planCap(ladder, VideoQuality.ULTRA_HD), { maxHeight: 1080, maxBitrateKbps: 5500 });
  t.deepEqual(planCap([], VideoQuality.UNSPECIFIED), {
    maxHeight: Number.POSITIVE_INFINITY,
    maxBitrateKbps: -1,
  });
});

test("prefetch: init and first media segments of the chosen rendition and audio, beside the signed manifest", (t) => {
  const manifest = "http://h/media/s/tok.123.0.sig/asset-1/manifest.mpd";
  t.deepEqual(firstSegmentUrls(manifest, "360p", 0, 4), [
    "http://h/media/s/tok.123.0.sig/asset-1/init-360p.m4s",
    "http://h/media/s/tok.123.0.sig/asset-1/chunk-360p-00001.m4s",
    "http://h/media/s/tok.123.0.sig/asset-1/init-audio.m4s",
    "http://h/media/s/tok.123.0.sig/asset-1/chunk-audio-00001.m4s",
  ]);
  // Resuming at 61.5 s: the segment covering [60, 64) is the 16th; a signature in the query stays.
  const urls = firstSegmentUrls("http://h/m/a/manifest.mpd?sig=x", "720p", 61.5, 4);
  t.is(urls[1], "http://h/m/a/chunk-720p-00016.m4s?sig=x");
});
