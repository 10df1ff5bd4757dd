import { existsSync } from "node:fs";
import path from "node:path";
import { type Client, Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { callOptions, requireScope } from "@marquee/kit";
import type { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { IngestState, type StreamingService } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import type { Logger } from "pino";
import { toRendition } from "../playback/rendition.js";
import type { IngestJobs, JobSnapshot } from "./jobs.js";

const MEDIA_WRITE = "media:write";

const INGEST_STATES = {
  queued: IngestState.QUEUED,
  running: IngestState.RUNNING,
  succeeded: IngestState.SUCCEEDED,
  failed: IngestState.FAILED,
} as const;

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
      const source = path.resolve(root, req.sourcePath);
      const relative = path.relative(root, source);
      if (relative.startsWith("..") || path.isAbsolute(relative)) {
        throw new ConnectError("source_path: must stay inside the ingest directory", Code.InvalidArgument);
      }
      if (!existsSync(source)) {
        throw new ConnectError(
          `source_path: no file ${req.sourcePath} in the ingest directory`,
          Code.NotFound,
        );
      }
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
      const job = await deps.jobs.start(req.contentId, req.episodeId, source);
      log.info({ jobId: job.jobId, contentId: req.contentId, source: req.sourcePath }, "ingest queued");
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
