/**
 * `npm run ingest -- <video file> --title "…"`: transcodes a video into a DASH
 * ladder (five H.264 renditions 240p–1080p, AAC audio, poster, thumbnails) in
 * the streaming service's media directory, with a progress bar (progress lines on
 * stderr when it is not a terminal), then creates,
 * attaches and publishes the title in the content service (which must be
 * running: `npm start`). With --content-id the media goes to an existing title.
 *
 *   npm run ingest -- film.mp4 --title "My Film" --genre drama --synopsis "…"
 *   npm run ingest -- ep1.mp4 --content-id <uuid> --episode-id <uuid>
 *   npm run ingest -- film.mp4 --title "My Film" --audio-language en --audio fr=film.fr.m4a \
 *     --text en=film.en.vtt --text fr:captions=film.fr.srt
 *
 * An interrupted run publishes nothing; run it again: the same file and title
 * go to the same title (CreateContent's request id follows from them), so a
 * run that failed after creating it does not leave a second one.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import { parseArgs } from "node:util";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { ConnectError } from "@connectrpc/connect";
import { ConfigError, createServiceClient, loadBackendsConfig, serviceUrl, uuidV5 } from "@marquee/kit";
import { MaturityRating } from "@marquee/sdk/marquee/common/v1/maturity_pb";
import { ContentType } from "@marquee/sdk/marquee/content/v1/content_pb";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { loadStreamingConfig } from "@marquee/streaming/config";
import { resolveFfmpeg } from "@marquee/streaming/ingest/ffmpeg";
import { attachAsset } from "@marquee/streaming/ingest/publish";
import { transcodeToAsset } from "@marquee/streaming/ingest/transcode";
import { asStreaming } from "@marquee/streaming/internal-call";
import { SingleBar } from "cli-progress";
import { parseAudioArg, parseTextArg } from "./track-args.js";

const USAGE = `usage: npm run ingest -- <video file> (--title "Title" [--genre id]... [--synopsis text] [--maturity ALL|KIDS|TEEN|ADULT] [--release-date YYYY-MM-DD] [--no-publish] | --content-id <uuid> [--episode-id <uuid>]) [--preset veryfast] [--audio-language LANG] [--audio LANG=FILE[#STREAM] | LANG=#STREAM]... [--text LANG[:subtitles|captions|forced]=FILE]...`;

/** Namespace of CreateContent request ids made by this command (a random UUID fixed once). */
const INGEST_REQUESTS = "8b3c6fad-b054-4e91-8c7d-4f5a6b7c8d94";

function fail(message: string): never {
  process.stderr.write(`ingest: ${message}\n`);
  process.exit(1);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    title: { type: "string" },
    genre: { type: "string", multiple: true },
    synopsis: { type: "string", default: "" },
    maturity: { type: "string", default: "ALL" },
    "release-date": { type: "string" },
    "content-id": { type: "string" },
    "episode-id": { type: "string", default: "" },
    "no-publish": { type: "boolean", default: false },
    preset: { type: "string" },
    "audio-language": { type: "string", default: "und" },
    audio: { type: "string", multiple: true, default: [] },
    text: { type: "string", multiple: true, default: [] },
    help: { type: "boolean", default: false },
  },
});
if (
  values.help ||
  positionals.length !== 1 ||
  (values.title === undefined) === (values["content-id"] === undefined)
) {
  fail(USAGE);
}
const maturity = MaturityRating[values.maturity as keyof typeof MaturityRating];
if (typeof maturity !== "number" || maturity === MaturityRating.UNSPECIFIED)
  fail(`--maturity must be ALL, KIDS, TEEN or ADULT`);

let config: ReturnType<typeof loadStreamingConfig>;
try {
  const backends = loadBackendsConfig();
  config = loadStreamingConfig(process.env, backends.mode, path.resolve(backends.embeddedDataDir));
} catch (err) {
  fail(err instanceof ConfigError ? err.message : String(err));
}
const source = path.resolve(positionals[0] as string);
let tracks: {
  audioTracks: ReturnType<typeof parseAudioArg>[];
  textTracks: ReturnType<typeof parseTextArg>[];
};
try {
  tracks = { audioTracks: values.audio.map(parseAudioArg), textTracks: values.text.map(parseTextArg) };
} catch (err) {
  fail((err as Error).message);
}
const mediaDir = path.resolve(config.MARQUEE_MEDIA_DIR);
const content = createServiceClient(ContentService, serviceUrl("content"));

try {
  // Check the target title first, so a typo does not cost a whole transcode.
  if (values["content-id"] !== undefined) {
    await content.getContentDetails({ contentId: values["content-id"] }, asStreaming());
  }
  // Off a terminal (a CI log, a pipe) the bar becomes a plain line every few seconds, so a
  // long transcode still shows it is moving.
  const onTerminal = process.stderr.isTTY === true;
  const bar = new SingleBar({
    format: onTerminal
      ? " {bar} {percentage}% | {stage} | ETA {eta_formatted}"
      : "ingest: {percentage}% | {stage} | ETA {eta_formatted}",
    hideCursor: onTerminal,
    etaBuffer: 50,
    noTTYOutput: true,
    notTTYSchedule: 5_000,
  });
  bar.start(100, 0, { stage: "starting" });
  const abort = new AbortController();
  process.once("SIGINT", () => abort.abort());
  const asset = await transcodeToAsset({
    ffmpeg: resolveFfmpeg(),
    source,
    mediaDir,
    assetId: randomUUID(),
    preset: values.preset ?? config.MARQUEE_INGEST_PRESET,
    audioLanguage: values["audio-language"],
    ...tracks,
    signal: abort.signal,
    onProgress: (fraction, stage) => bar.update(Math.round(fraction * 100), { stage }),
  }).finally(() => bar.stop());
  process.stdout.write(
    `transcoded ${path.basename(source)}: ${(asset.durationMs / 1000).toFixed(1)} s, renditions ${asset.renditions.map((r) => r.id).join(" ")}, audio ${(asset.audioTracks ?? []).map((a) => a.language).join(" ")}, text ${(asset.textTracks ?? []).map((x) => `${x.language}/${x.kind}`).join(" ") || "none"}\n`,
  );

  let contentId = values["content-id"];
  if (contentId === undefined) {
    const created = await content.createContent(
      {
        content: {
          type: ContentType.MOVIE,
          title: values.title,
          genreIds: values.genre ?? ["drama"],
          releaseDate: values["release-date"] ?? new Date().toISOString().slice(0, 10),
          duration: durationFromMs(asset.durationMs),
          synopsis: values.synopsis,
          maturityRating: maturity,
          artwork: {
            posterUrl: asset.posterPath,
            backdropUrl: asset.posterPath,
            thumbnailUrl: asset.thumbnailPath,
          },
        },
        requestId: uuidV5(`${source}\n${values.title}`, INGEST_REQUESTS),
      },
      asStreaming(),
    );
    contentId = created.content?.contentId ?? fail("CreateContent returned no title");
  }
  await attachAsset(content, mediaDir, contentId, values["episode-id"], asset);
  if (values.title !== undefined && !values["no-publish"]) {
    await content.publishContent({ contentId }, asStreaming());
  }
  process.stdout.write(
    `attached asset ${asset.assetId} to title ${contentId}${values["no-publish"] ? " (draft)" : ""}\n`,
  );
} catch (err) {
  if (err instanceof ConnectError)
    fail(
      `content service at ${serviceUrl("content")}: ${err.rawMessage} [${err.code}] — is the platform running (npm start)?`,
    );
  fail((err as Error).message);
}
