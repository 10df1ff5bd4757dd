import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { CALLER_HEADER, type Caller, createLogger, encodeCaller, serve } from "@marquee/kit";
import { childProcesses, isRunning, waitFor } from "@marquee/kit/testing";
import { type Content, ContentSchema, PublishState } from "@marquee/sdk/marquee/content/v1/content_pb";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import {
  AudioTrackRole,
  IngestState,
  StreamingService,
  TextTrackKind,
} from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import test from "ava";
import { resolveFfmpeg } from "../../src/ingest/ffmpeg.js";
import { makeSyntheticAudio, makeSyntheticSource } from "../../src/ingest/synthetic.js";
import { readAsset } from "../../src/ingest/transcode.js";
import { startStreamingService } from "../../src/start.js";

/** A content service that keeps titles in memory: enough for demo titles and ingest to talk to. */
async function fakeContent() {
  const titles = new Map<string, Content>();
  const server = await serve({
    name: "content",
    services: [ContentService],
    host: "127.0.0.1",
    port: 0,
    log: createLogger("content", "silent"),
    routes: (r) =>
      r.service(ContentService, {
        createContent(req) {
          const content = create(ContentSchema, {
            contentId: randomUUID(),
            title: req.content?.title,
            type: req.content?.type,
            artwork: req.content?.artwork,
            publishState: PublishState.DRAFT,
          });
          titles.set(content.contentId, content);
          return { content };
        },
        attachMedia(req) {
          const content = titles.get(req.contentId);
          if (content === undefined) throw new ConnectError("no such title", Code.NotFound);
          content.media = req.media;
          return { content };
        },
        publishContent(req) {
          const content = titles.get(req.contentId);
          if (content === undefined) throw new ConnectError("no such title", Code.NotFound);
          content.publishState = PublishState.PUBLISHED;
          return { content };
        },
        getContentDetails(req) {
          const content = titles.get(req.contentId);
          if (content === undefined) throw new ConnectError("no such title", Code.NotFound);
          return { content };
        },
      }),
  });
  return { server, titles };
}

function client(url: string, caller: Caller) {
  return createClient(
    StreamingService,
    createConnectTransport({
      baseUrl: url,
      httpVersion: "1.1",
      interceptors: [
        (next) => (req) => {
          req.header.set(CALLER_HEADER, encodeCaller(caller));
          return next(req);
        },
      ],
    }),
  );
}

/** The streaming service on embedded storage in `dir`, talking to the content service at `contentUrl`. */
function embeddedEnv(dir: string, contentUrl: string, over: Record<string, string>) {
  return {
    ...process.env,
    MARQUEE_BACKENDS: "embedded",
    MARQUEE_EMBEDDED_DATA_DIR: dir,
    MARQUEE_STREAMING_PORT: "0",
    MARQUEE_CONTENT_URL: contentUrl,
    MARQUEE_INGEST_PRESET: "ultrafast",
    MARQUEE_LOG_LEVEL: "silent",
    ...over,
  };
}

function status(url: string): Promise<{ status: number; type?: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, type: res.headers["content-type"] });
      })
      .on("error", reject);
  });
}

test("first embedded start makes playable demo titles; StartIngest and WatchIngest ingest a source", async (t) => {
  t.timeout(180_000);
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-start-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const content = await fakeContent();
  t.teardown(() => content.server.close());
  const env = embeddedEnv(dir, content.server.url, {
    MARQUEE_DEMO_TITLES: "1",
    MARQUEE_DEMO_SECONDS: "4",
    MARQUEE_DEMO_LONG_SECONDS: "0",
    // The demo pool has its own test (demo-pool.test.ts).
    MARQUEE_DEMO_POOL: "0",
  });
  const server = await startStreamingService(env);
  t.teardown(() => server.close());

  await waitFor(
    "three demo titles published with media",
    () =>
      [...content.titles.values()].filter(
        (c) => c.publishState === PublishState.PUBLISHED && c.media?.assetId,
      ).length === 3,
    150_000,
  );
  const demo = [...content.titles.values()][0] as Content;
  // Their artwork is on the service's own port, under /media/.
  const poster = await status(`${server.url}${demo.artwork?.posterUrl}`);
  t.deepEqual(poster, { status: 200, type: "image/jpeg" });
  t.is((await status(`${server.url}/media/s/nothing`)).status, 404);
  t.is((await status(`${server.url}/elsewhere`)).status, 404);

  // StartIngest: operators only, sources inside the ingest directory only.
  mkdirSync(path.join(dir, "ingest"), { recursive: true });
  await makeSyntheticSource(resolveFfmpeg(), path.join(dir, "ingest", "clip.mp4"), { seconds: 4 });
  await makeSyntheticAudio(resolveFfmpeg(), path.join(dir, "ingest", "clip-de.m4a"), {
    seconds: 4,
    toneHz: 550,
  });
  writeFileSync(path.join(dir, "ingest", "clip-de.srt"), "1\n00:00:01,000 --> 00:00:02,000\nHallo\n");
  writeFileSync(path.join(dir, "ingest", "empty.vtt"), "WEBVTT\n");
  const target = [...content.titles.keys()][1] as string;
  const member = client(server.url, {
    kind: "member",
    userId: randomUUID(),
    profileId: randomUUID(),
    scopes: [],
  });
  await t.throwsAsync(member.startIngest({ contentId: target, sourcePath: "clip.mp4" }), {
    code: Code.PermissionDenied,
  } as never);
  const partner = client(server.url, {
    kind: "partner",
    partnerId: "studio",
    scopes: ["media:write"],
    userId: undefined,
  });
  await t.throwsAsync(partner.startIngest({ contentId: target, sourcePath: "../../etc/passwd" }), {
    code: Code.InvalidArgument,
  } as never);
  await t.throwsAsync(partner.startIngest({ contentId: target, sourcePath: "missing.mp4" }), {
    code: Code.NotFound,
  } as never);
  await t.throwsAsync(
    partner.startIngest({
      contentId: target,
      sourcePath: "clip.mp4",
      textTracks: [{ sourcePath: "empty.vtt", language: "en", kind: TextTrackKind.SUBTITLES }],
    }),
    { code: Code.InvalidArgument, message: /empty\.vtt: the file holds no cue/ } as never,
  );
  await t.throwsAsync(
    partner.startIngest({
      contentId: target,
      sourcePath: "clip.mp4",
      audioTracks: [{ sourcePath: "../clip-de.m4a", language: "de", role: AudioTrackRole.DUB }],
    }),
    { code: Code.InvalidArgument, message: /audio_tracks\[0\]\.source_path: must stay inside/ } as never,
  );
  const before = content.titles.get(target)?.media?.assetId;
  const { job } = await partner.startIngest({
    contentId: target,
    sourcePath: "clip.mp4",
    audioLanguage: "en",
    audioTracks: [{ sourcePath: "clip-de.m4a", language: "de", role: AudioTrackRole.DUB }],
    textTracks: [{ sourcePath: "clip-de.srt", language: "de", kind: TextTrackKind.CAPTIONS }],
  });
  const states: IngestState[] = [];
  const progress: number[] = [];
  for await (const update of partner.watchIngest({ jobId: job?.jobId ?? "" })) {
    states.push(update.job?.state ?? IngestState.UNSPECIFIED);
    progress.push(update.job?.progress ?? 0);
  }
  t.is(states[states.length - 1], IngestState.SUCCEEDED);
  t.true(states.includes(IngestState.RUNNING));
  t.is(progress[progress.length - 1], 1);
  const after = content.titles.get(target)?.media;
  t.is(after?.assetId, job?.jobId);
  t.not(after?.assetId, before);
  t.is(after?.maxHeight, 1080);
  const asset = await readAsset(path.join(dir, "media"), job?.jobId ?? "");
  t.deepEqual(
    asset?.audioTracks?.map((a) => [a.language, a.role]),
    [
      ["en", "main"],
      ["de", "dub"],
    ],
  );
  t.deepEqual(
    asset?.textTracks?.map((x) => [x.language, x.kind, x.cues]),
    [["de", "captions", 1]],
  );
  // The demo title with languages is made by the same path.
  const signal = [...content.titles.values()].find((c) => c.title === "Test Signal");
  const demoAsset = await readAsset(path.join(dir, "media"), signal?.media?.assetId ?? "");
  t.deepEqual(
    demoAsset?.audioTracks?.map((a) => a.language),
    ["en", "fr"],
  );
  t.deepEqual(
    demoAsset?.textTracks?.map((x) => x.language),
    ["en", "fr"],
  );
});

// Serial: the only test running in this process then, so every ffmpeg child is its own.
test.serial("close mid-ingest kills its ffmpeg within 3 s; the next start runs the job again", async (t) => {
  t.timeout(180_000);
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-restart-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const content = await fakeContent();
  t.teardown(() => content.server.close());
  const target = randomUUID();
  content.titles.set(target, create(ContentSchema, { contentId: target, title: "Interrupted" }));
  mkdirSync(path.join(dir, "ingest"), { recursive: true });
  await makeSyntheticSource(resolveFfmpeg(), path.join(dir, "ingest", "long.mp4"), { seconds: 24 });
  const env = embeddedEnv(dir, content.server.url, { MARQUEE_DEMO_TITLES: "0" });
  const partner = (url: string) =>
    client(url, { kind: "partner", partnerId: "studio", scopes: ["media:write"], userId: undefined });

  const first = await startStreamingService(env);
  const { job } = await partner(first.url).startIngest({ contentId: target, sourcePath: "long.mp4" });
  const jobId = job?.jobId ?? "";
  for await (const update of partner(first.url).watchIngest({ jobId })) {
    if ((update.job?.progress ?? 0) > 0.01) break;
  }
  const [encoder] = childProcesses(process.pid, "ffmpeg");
  t.truthy(encoder, "ffmpeg encodes the ladder");
  const closing = Date.now();
  await first.close();
  t.true(Date.now() - closing < 3_000, `closed in ${Date.now() - closing} ms`);
  t.false(isRunning(encoder as number), "its ffmpeg is gone once close returns");
  t.deepEqual(childProcesses(process.pid, "ffmpeg"), []);
  t.is(content.titles.get(target)?.media, undefined, "nothing was published by the interrupted run");

  const second = await startStreamingService(env);
  t.teardown(() => second.close());
  const states: IngestState[] = [];
  for await (const update of partner(second.url).watchIngest({ jobId })) {
    states.push(update.job?.state ?? IngestState.UNSPECIFIED);
  }
  t.is(states.at(-1), IngestState.SUCCEEDED);
  t.is(content.titles.get(target)?.media?.assetId, jobId);
});
