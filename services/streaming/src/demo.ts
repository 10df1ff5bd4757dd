import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import type { Client } from "@connectrpc/connect";
import { MaturityRating } from "@marquee/sdk/marquee/common/v1/maturity_pb";
import { ContentType } from "@marquee/sdk/marquee/content/v1/content_pb";
import type { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import type { Logger } from "pino";
import { attachAsset } from "./ingest/publish.js";
import { makeSyntheticSource, type PATTERNS } from "./ingest/synthetic.js";
import { INCOMING, transcodeToAsset } from "./ingest/transcode.js";
import { asStreaming } from "./internal-call.js";

interface DemoTitle {
  key: string;
  /** CreateContent's request id: a start that died before recording the title finds it again. */
  requestId: string;
  title: string;
  synopsis: string;
  genreIds: string[];
  pattern: (typeof PATTERNS)[number];
  toneHz: number;
  /** A long title (DemoOptions.longSeconds) rather than a short clip. */
  long?: boolean;
}

/**
 * Short synthetic clips (test patterns with a tone), so a new user can press play at once, then
 * a long one of varied scenes, long enough to watch adaptive bitrate at work (and to benchmark it).
 */
const DEMO_TITLES: DemoTitle[] = [
  {
    key: "signal",
    requestId: "5e0f3c7a-8d21-4b6e-9f4a-1c2d3e4f5a61",
    title: "Test Signal",
    synopsis:
      "A broadcast test card hums at 440 Hz while the clock keeps time. A demo title made at first start.",
    genreIds: ["documentary"],
    pattern: "testsrc2",
    toneHz: 440,
  },
  {
    key: "life",
    requestId: "6f1a4d8b-9e32-4c7f-8a5b-2d3e4f5a6b72",
    title: "The Game of Life",
    synopsis: "Cells are born and die by Conway's rules, to a low drone. A demo title made at first start.",
    genreIds: ["science-fiction"],
    pattern: "life",
    toneHz: 220,
  },
  {
    key: "bars",
    requestId: "7a2b5e9c-af43-4d80-9b6c-3e4f5a6b7c83",
    title: "Colour Bars",
    synopsis: "SMPTE bars, steady as ever, with a 1 kHz line-up tone. A demo title made at first start.",
    genreIds: ["animation"],
    pattern: "smptehdbars",
    toneHz: 1000,
  },
  {
    key: "long",
    requestId: "8b3c6fad-b054-4e91-8c7d-4f5a6b7c8d94",
    title: "Long Take",
    synopsis:
      "Bars, a test card, a Mandelbrot dive, noise, life and a cellular automaton, one after another: scenes the encoder finds easy and hard. A demo title made at first start.",
    genreIds: ["documentary"],
    pattern: "varied",
    toneHz: 330,
    long: true,
  },
];

export interface DemoOptions {
  ffmpeg: string;
  mediaDir: string;
  content: Pick<Client<typeof ContentService>, "createContent" | "attachMedia" | "publishContent">;
  log: Logger;
  seconds: number;
  /** Length of the long demo title; 0 leaves it out. */
  longSeconds: number;
  preset: string;
  titles?: DemoTitle[];
}

const MARKER = ".demo-titles.json";

/**
 * Creates the demo titles once, when the media directory holds no media yet:
 * a synthetic source per title, ingested into a DASH ladder, created,
 * attached and published in the content service. Progress is recorded per
 * title, so an interrupted first start finishes the rest next time without
 * duplicating any.
 */
export async function seedDemoTitles(o: DemoOptions): Promise<number> {
  await mkdir(o.mediaDir, { recursive: true });
  const markerPath = path.join(o.mediaDir, MARKER);
  const done: string[] = JSON.parse(await readFile(markerPath, "utf8").catch(() => "null")) ?? [];
  const existing = (await readdir(o.mediaDir)).filter((e) => !e.startsWith("."));
  if (done.length === 0 && existing.length > 0) return 0; // media from elsewhere: not a first start
  let created = 0;
  for (const demo of o.titles ?? DEMO_TITLES) {
    if (done.includes(demo.key)) continue;
    const seconds = demo.long ? o.longSeconds : o.seconds;
    if (seconds <= 0) continue;
    const work = path.join(o.mediaDir, INCOMING, `demo-${demo.key}-${randomUUID()}.mp4`);
    await mkdir(path.dirname(work), { recursive: true });
    try {
      o.log.info({ title: demo.title }, "making demo title");
      await makeSyntheticSource(o.ffmpeg, work, {
        seconds,
        pattern: demo.pattern,
        toneHz: demo.toneHz,
      });
      const asset = await transcodeToAsset({
        ffmpeg: o.ffmpeg,
        source: work,
        mediaDir: o.mediaDir,
        assetId: randomUUID(),
        preset: o.preset,
      });
      const { content } = await o.content.createContent(
        {
          content: {
            type: ContentType.MOVIE,
            title: demo.title,
            genreIds: demo.genreIds,
            releaseDate: new Date().toISOString().slice(0, 10),
            duration: durationFromMs(asset.durationMs),
            synopsis: demo.synopsis,
            maturityRating: MaturityRating.ALL,
            artwork: {
              posterUrl: asset.posterPath,
              backdropUrl: asset.posterPath,
              thumbnailUrl: asset.thumbnailPath,
            },
          },
          requestId: demo.requestId,
        },
        asStreaming(),
      );
      if (content === undefined) throw new Error("CreateContent returned no title");
      await attachAsset(o.content, o.mediaDir, content.contentId, "", asset);
      await o.content.publishContent({ contentId: content.contentId }, asStreaming());
      done.push(demo.key);
      await writeFile(markerPath, JSON.stringify(done));
      created++;
    } finally {
      await rm(work, { force: true });
    }
  }
  return created;
}
