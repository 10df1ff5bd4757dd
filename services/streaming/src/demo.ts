import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import type { Client } from "@connectrpc/connect";
import { MaturityRating } from "@marquee/sdk/marquee/common/v1/maturity_pb";
import { ContentType } from "@marquee/sdk/marquee/content/v1/content_pb";
import type { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import type { Logger } from "pino";
import { throwIfStopped } from "./ingest/ffmpeg.js";
import { makePoolClip, POOL_CLIPS, type PoolClip } from "./ingest/pool.js";
import { attachAsset } from "./ingest/publish.js";
import type { PATTERNS } from "./ingest/synthetic.js";
import { syntheticAsset } from "./ingest/synthetic-asset.js";
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
  /** The language of `toneHz`, dubs in others (each a tone of its own) and subtitle languages. */
  audioLanguage?: string;
  dubs?: Array<{ language: string; toneHz: number }>;
  subtitles?: string[];
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
      "A broadcast test card hums at 440 Hz while the clock keeps time; in French it hums at 660 Hz. Subtitles in English and French tell the time every two seconds. A demo title made at first start.",
    genreIds: ["documentary"],
    pattern: "testsrc2",
    toneHz: 440,
    audioLanguage: "en",
    dubs: [{ language: "fr", toneHz: 660 }],
    subtitles: ["en", "fr"],
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

/** Where the first start's demo ingest is. */
export interface DemoProgress {
  /** 0..1 over the titles and pool clips this start makes, by their length. */
  fraction: number;
  /** The title or pool clip being made (the last one once finished). */
  title: string;
  /** Titles and pool clips made so far by this start, of `total`. */
  made: number;
  total: number;
  /** Of those, the pool clips (the seeded catalog's media): made so far, of `poolTotal`. */
  poolMade: number;
  poolTotal: number;
  stage: string;
  /** `stopped`: the process is shutting down; the rest is made at the next start. */
  state: "running" | "done" | "failed" | "stopped";
}

export interface DemoOptions {
  ffmpeg: string;
  mediaDir: string;
  content: Pick<Client<typeof ContentService>, "createContent" | "attachMedia" | "publishContent">;
  log: Logger;
  seconds: number;
  /** Length of the long demo title; 0 leaves it out. */
  longSeconds: number;
  /** Length of a pool clip (DEMO_POOL_SECONDS, what the seeded titles record); 0 leaves the pool out. */
  poolSeconds: number;
  preset: string;
  titles?: DemoTitle[];
  pool?: PoolClip[];
  onProgress?: (p: DemoProgress) => void;
  /** Stops the ingest at once (ffmpeg killed); what is left is made at the next start. */
  signal?: AbortSignal;
}

const MARKER = ".demo-titles.json";

/** One thing the demo ingest makes: a demo title or a pool clip. */
interface Step {
  key: string;
  title: string;
  seconds: number;
  pool: boolean;
  make: (progress: (fraction: number, stage: string) => void) => Promise<void>;
}

/**
 * Creates the demo titles and the demo pool once, when the media directory
 * holds no media yet: the short titles first (a synthetic source per title,
 * ingested into a DASH ladder, created, attached and published in the content
 * service), then the pool clips the seeded catalog's titles point at (each
 * playable as its clip lands), then the long title. Progress is recorded per
 * step, so an interrupted first start finishes the rest next time without
 * duplicating any; a data directory from before the pool gets it at its next
 * start. When `signal` aborts, the ffmpeg running is killed, nothing more
 * starts, and the promise rejects.
 */
export async function seedDemoTitles(o: DemoOptions): Promise<number> {
  await mkdir(o.mediaDir, { recursive: true });
  const markerPath = path.join(o.mediaDir, MARKER);
  const marker: string[] | undefined =
    JSON.parse(await readFile(markerPath, "utf8").catch(() => "null")) ?? undefined;
  if (marker === undefined) {
    // Pool clips are no sign of other media: `npm run seed` may have made them before any start.
    const poolIds = new Set(POOL_CLIPS.map((c) => c.assetId));
    const existing = (await readdir(o.mediaDir)).filter((e) => !e.startsWith(".") && !poolIds.has(e));
    if (existing.length > 0) return 0; // media from elsewhere: not a first start
    // From here on this is a first start, however far it gets: a title published before a stop is media too.
    await writeFile(markerPath, "[]");
  }
  const done = marker ?? [];
  const todo = steps(o).filter((step) => step.seconds > 0 && !done.includes(step.key));
  const totalSeconds = todo.reduce((sum, t) => sum + t.seconds, 0);
  const poolTotal = todo.filter((step) => step.pool).length;
  let doneSeconds = 0;
  let created = 0;
  let poolMade = 0;
  const report = (title: string, within: number, stage: string, state: DemoProgress["state"] = "running") =>
    o.onProgress?.({
      fraction: totalSeconds === 0 ? 1 : doneSeconds / totalSeconds + within,
      title,
      made: created,
      total: todo.length,
      poolMade,
      poolTotal,
      stage,
      state,
    });
  let current = "";
  try {
    for (const step of todo) {
      throwIfStopped(o.signal);
      current = step.title;
      const share = step.seconds / totalSeconds;
      await step.make((fraction, stage) => report(step.title, share * fraction, stage));
      done.push(step.key);
      await writeFile(markerPath, JSON.stringify(done));
      created++;
      if (step.pool) poolMade++;
      doneSeconds += step.seconds;
    }
  } catch (err) {
    report(current, 0, o.signal?.aborted ? "stopped" : "failed", o.signal?.aborted ? "stopped" : "failed");
    throw err;
  }
  if (todo.length > 0) report(current, 0, "done", "done");
  return created;
}

/** The short demo titles, the pool clips, then the long title. */
function steps(o: DemoOptions): Step[] {
  const title = (demo: DemoTitle): Step => {
    const seconds = demo.long ? o.longSeconds : o.seconds;
    return {
      key: demo.key,
      title: demo.title,
      seconds,
      pool: false,
      make: (progress) => makeDemoTitle(o, demo, seconds, progress),
    };
  };
  const clip = (c: PoolClip): Step => ({
    key: c.key,
    title: `${c.look} (catalog clip)`,
    seconds: o.poolSeconds,
    pool: true,
    make: async (progress) => {
      o.log.info({ assetId: c.assetId, look: c.look }, "making demo pool clip");
      await makePoolClip(c, { ...o, seconds: o.poolSeconds, onProgress: progress });
    },
  });
  const titles = o.titles ?? DEMO_TITLES;
  return [
    ...titles.filter((d) => !d.long).map(title),
    ...(o.pool ?? POOL_CLIPS).map(clip),
    ...titles.filter((d) => d.long).map(title),
  ];
}

/** One demo title: its source, its ladder, then created, attached and published in the content service. */
async function makeDemoTitle(
  o: DemoOptions,
  demo: DemoTitle,
  seconds: number,
  progress: (fraction: number, stage: string) => void,
): Promise<void> {
  const calls = { ...asStreaming(), signal: o.signal };
  o.log.info({ title: demo.title }, "making demo title");
  const asset = await syntheticAsset({
    ffmpeg: o.ffmpeg,
    mediaDir: o.mediaDir,
    assetId: randomUUID(),
    preset: o.preset,
    seconds,
    pattern: demo.pattern,
    toneHz: demo.toneHz,
    ...(demo.audioLanguage === undefined ? {} : { audioLanguage: demo.audioLanguage }),
    dubs: demo.dubs ?? [],
    subtitles: demo.subtitles ?? [],
    onProgress: progress,
    signal: o.signal,
  });
  try {
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
      calls,
    );
    if (content === undefined) throw new Error("CreateContent returned no title");
    await attachAsset(o.content, o.mediaDir, content.contentId, "", asset, o.signal);
    await o.content.publishContent({ contentId: content.contentId }, calls);
  } catch (err) {
    // Not attached: the next start makes this title again, with an asset of its own.
    await rm(path.join(o.mediaDir, asset.assetId), { recursive: true, force: true });
    throw err;
  }
}
