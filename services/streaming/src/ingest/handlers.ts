import { existsSync } from "node:fs";
import path from "node:path";
import { type Client, Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { callOptions, requireScope } from "@marquee/kit";
import type { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import {
  AudioTrackRole,
  IngestState,
  type StartIngestRequest,
  type StreamingService,
  TextTrackKind,
} from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import type { Logger } from "pino";
import { toRendition } from "../playback/rendition.js";
import { CueError } from "./cues.js";
import type { IngestTracks } from "./job-store.js";
import type { IngestJobs, JobSnapshot } from "./jobs.js";
import { prepareTextTracks } from "./prepare-tracks.js";
import { canonicalLanguage, type TextKind, TrackError } from "./tracks.js";

const MEDIA_WRITE = "media:write";

const INGEST_STATES = {
  queued: IngestState.QUEUED,
  running: IngestState.RUNNING,
  succeeded: IngestState.SUCCEEDED,
  failed: IngestState.FAILED,
} as const;

const TEXT_KINDS: Record<TextTrackKind, TextKind> = {
  [TextTrackKind.UNSPECIFIED]: "subtitles",
  [TextTrackKind.SUBTITLES]: "subtitles",
  [TextTrackKind.CAPTIONS]: "captions",
  [TextTrackKind.FORCED]: "forced",
};

/** A file the request names, as an absolute path that stays inside the ingest directory and exists. */
function fileInside(root: string, relative: string, field: string): string {
  const file = path.resolve(root, relative);
  const inside = path.relative(root, file);
  if (inside.startsWith("..") || path.isAbsolute(inside)) {
    throw new ConnectError(`${field}: must stay inside the ingest directory`, Code.InvalidArgument);
  }
  if (!existsSync(file)) {
    throw new ConnectError(`${field}: no file ${relative} in the ingest directory`, Code.NotFound);
  }
  return file;
}

/**
 * The request's audio languages and subtitle files, checked now (languages, files there, every
 * subtitle file parsed) so a bad one is refused at once rather than failing the job later.
 */
async function tracksOf(root: string, req: StartIngestRequest): Promise<IngestTracks> {
  try {
    const tracks: IngestTracks = {
      audioLanguage: req.audioLanguage === "" ? "" : canonicalLanguage(req.audioLanguage, "audio_language"),
      audio: req.audioTracks.map((a, i) => ({
        ...(a.sourcePath === ""
          ? {}
          : { file: fileInside(root, a.sourcePath, `audio_tracks[${i}].source_path`) }),
        stream: a.streamIndex,
        language: canonicalLanguage(a.language, `audio_tracks[${i}].language`),
        role: a.role === AudioTrackRole.MAIN ? "main" : "dub",
      })),
      text: req.textTracks.map((x, i) => ({
        file: fileInside(root, x.sourcePath, `text_tracks[${i}].source_path`),
        language: canonicalLanguage(x.language, `text_tracks[${i}].language`),
        kind: TEXT_KINDS[x.kind],
      })),
    };
    await prepareTextTracks(tracks.text);
    return tracks;
  } catch (err) {
    if (err instanceof TrackError || err instanceof CueError)
      throw new ConnectError(err.message, Code.InvalidArgument);
    throw err;
  }
}

function toJob(j: JobSnapshot) {
  return {
    jobId: j.jobId,
    contentId: j.contentId,
    episodeId: j.episodeId,
    state: INGEST_STATES[j.state],
    progress: j.progress,
    stage: j.stage,
    error: j.error,
    renditions: j.renditions.map(toRendition),
  };
}

export interface IngestDeps {
  content: Pick<Client<typeof ContentService>, "getContentDetails">;
  jobs: IngestJobs;
  settings: {
    /** Where StartIngest finds sources. */
    ingestDir: string;
  };
  log: Logger;
}

type IngestHandlers = Pick<ServiceImpl<typeof StreamingService>, "startIngest" | "watchIngest">;

/** The ingest admin handlers (scope media:write): start a job on a source, watch it. */
export function ingestHandlers(deps: IngestDeps): IngestHandlers {
  const { settings, log } = deps;
  return {
    async startIngest(req, ctx) {
      requireScope(ctx, MEDIA_WRITE);
      const root = path.resolve(settings.ingestDir);
      const source = fileInside(root, req.sourcePath, "source_path");
      const tracks = await tracksOf(root, req);
      const { content } = await deps.content.getContentDetails(
        { contentId: req.contentId },
        callOptions(ctx, undefined, { asService: "streaming" }),
      );
      if (content === undefined) throw new ConnectError("no such title", Code.NotFound);
      if (
        req.episodeId !== "" &&
        !content.seasons.some((s) => s.episodes.some((e) => e.episodeId === req.episodeId))
      ) {
        throw new ConnectError("this series has no such episode", Code.NotFound);
      }
      const job = await deps.jobs.start(req.contentId, req.episodeId, source, tracks);
      log.info(
        {
          jobId: job.jobId,
          contentId: req.contentId,
          source: req.sourcePath,
          audio: tracks.audio.length,
          text: tracks.text.length,
        },
        "ingest queued",
      );
      return { job: toJob(job) };
    },

    async *watchIngest(req, ctx) {
      requireScope(ctx, MEDIA_WRITE);
      if ((await deps.jobs.get(req.jobId)) === undefined) {
        throw new ConnectError("no such ingest job (jobs are kept for 30 days)", Code.NotFound);
      }
      for await (const job of deps.jobs.watch(req.jobId, ctx.signal)) yield { job: toJob(job) };
    },
  };
}
