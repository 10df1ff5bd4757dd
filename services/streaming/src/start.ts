import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import {
  createLogger,
  createServiceClient,
  DEMO_POOL_SECONDS,
  loadAdminAddress,
  loadBackendsConfig,
  requestLimit,
  type Server,
  serve,
  serviceUrl,
  waitForDependency,
} from "@marquee/kit";
import { type EventBus, openEventBus } from "@marquee/kit/bus";
import { AccountService } from "@marquee/sdk/marquee/account/v1/account_service_pb";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { StreamingService } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import { loadStreamingConfig, signingSecret } from "./config.js";
import { openStreamingStore, startConsumers } from "./consumers.js";
import { type DemoProgress, seedDemoTitles } from "./demo.js";
import type { HistoryWriterOptions } from "./history/writer.js";
import { resolveFfmpeg } from "./ingest/ffmpeg.js";
import { IngestJobs } from "./ingest/jobs.js";
import { attachAsset } from "./ingest/publish.js";
import { readAsset, sweepIncoming, transcodeToAsset } from "./ingest/transcode.js";
import { HISTORY_RETENTION_MONTHS } from "./migrations.js";
import { LiveSessions, readSessionState } from "./playback/live-sessions.js";
import { MEDIA_PREFIX, mediaOrigin } from "./playback/media-origin.js";
import { MediaSigner } from "./playback/signing.js";
import { QoeAggregate } from "./qoe/aggregate.js";
import { startQoeConsumer } from "./qoe/consumer.js";
import { streamingService } from "./service.js";
import type { StreamingStore } from "./store.js";

export type { DemoProgress } from "./demo.js";

export interface StreamingOverrides {
  /** Use this bus (tests: a namespaced JetStream bus) instead of the configured one. */
  bus?: EventBus;
  /** The bus the consumers use (default: their own connection in external mode, else `bus`). */
  consumerBus?: EventBus;
  store?: StreamingStore;
  /** Observe durable heartbeat reports (benchmarks). */
  onDurable?: HistoryWriterOptions["onDurable"];
  /** Hears where the first start's demo ingest is (`npm start` draws it). */
  onDemoProgress?: (p: DemoProgress) => void;
}

/** Wires the streaming service from the environment and serves it, media origin included. */
export async function startStreamingService(
  env: Record<string, string | undefined> = process.env,
  overrides: StreamingOverrides = {},
): Promise<Server> {
  const backends = loadBackendsConfig(env);
  const config = loadStreamingConfig(env, backends.mode, path.resolve(backends.embeddedDataDir));
  const log = createLogger("streaming", config.MARQUEE_LOG_LEVEL);
  // Aborted when shutdown begins: the demo ingest stops at once and starts nothing more.
  const stopping = new AbortController();

  const store = overrides.store ?? (await openStreamingStore(backends, log));
  const bus = overrides.bus ?? (await openEventBus(backends, "streaming", log));
  // Consumers get their own NATS connection: acks and deliveries sharing the publishers'
  // connection cut publish throughput about five-fold here (9.4k/s alone vs 1.9k/s shared).
  const ownConsumerBus =
    overrides.consumerBus === undefined && overrides.bus === undefined && backends.mode === "external";
  const consumerBus =
    overrides.consumerBus ??
    (ownConsumerBus ? await openEventBus(backends, "streaming-consumers", log) : bus);
  const account = createServiceClient(AccountService, serviceUrl("account", env));
  const content = createServiceClient(ContentService, serviceUrl("content", env));
  const mediaDir = path.resolve(config.MARQUEE_MEDIA_DIR);
  await sweepIncoming(mediaDir, 24 * 3600_000);
  const signer = new MediaSigner(signingSecret(config), config.MARQUEE_MEDIA_SIGNING_PREVIOUS_SECRETS);
  const ffmpeg = () => resolveFfmpeg(env);

  const jobs = new IngestJobs({
    store,
    log,
    run: async (job, source, tracks, onProgress, signal) => {
      const asset = await transcodeToAsset({
        ffmpeg: ffmpeg(),
        source,
        mediaDir,
        assetId: job.jobId,
        preset: config.MARQUEE_INGEST_PRESET,
        audioLanguage: tracks.audioLanguage || "und",
        audioTracks: tracks.audio,
        textTracks: tracks.text,
        onProgress,
        signal,
      });
      onProgress(0.99, "attaching to the title");
      await attachAsset(content, mediaDir, job.contentId, job.episodeId, asset);
      return asset.renditions;
    },
  });
  await jobs.open();

  const subscriptions = config.MARQUEE_STREAMING_CONSUMERS
    ? await startConsumers({ bus: consumerBus, store, log, onDurable: overrides.onDurable })
    : [];
  // Whatever runs the other consumers, the process answering GetQoeSummary keeps its aggregate (README, "QoE view").
  const qoe = new QoeAggregate();
  subscriptions.push(await startQoeConsumer(consumerBus, qoe, log));
  const liveSessions = new LiveSessions((sessionId) => readSessionState(store, sessionId), {
    checkMs: config.MARQUEE_MEDIA_SESSION_CHECK_MS,
  });
  const origin = mediaOrigin({ mediaDir, signer, sessions: liveSessions, log });
  const server = await serve({
    name: "streaming",
    services: [StreamingService],
    routes: (r) =>
      r.service(
        StreamingService,
        streamingService({
          store,
          bus,
          account,
          content,
          signer,
          liveSessions,
          asset: (assetId) => readAsset(mediaDir, assetId),
          jobs,
          qoe,
          log,
          settings: {
            heartbeatIntervalMs: config.MARQUEE_HEARTBEAT_INTERVAL_MS,
            reportIntervalMs: config.MARQUEE_HEARTBEAT_REPORT_INTERVAL_MS,
            slotLeaseMs: config.MARQUEE_STREAM_SLOT_LEASE_MS,
            manifestUrlTtlMs: config.MARQUEE_MANIFEST_URL_TTL_MS,
            sessionTtlMs: 24 * 3600_000,
            mediaBaseUrl: config.MARQUEE_MEDIA_BASE_URL,
            historyMonths: HISTORY_RETENTION_MONTHS,
            ingestDir: config.MARQUEE_INGEST_DIR,
            maxClockSkewMs: 5 * 60_000,
          },
        }),
      ),
    host: config.MARQUEE_STREAMING_HOST,
    port: config.MARQUEE_STREAMING_PORT,
    admin: loadAdminAddress("streaming", config.MARQUEE_STREAMING_PORT, env),
    drainTimeoutMs: config.MARQUEE_DRAIN_TIMEOUT_MS,
    requestLimit: requestLimit(config),
    log,
    fallback: (req, res) => {
      if ((req.url ?? "").startsWith(MEDIA_PREFIX)) {
        origin(req as IncomingMessage, res as ServerResponse);
        return;
      }
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found\n");
    },
  });

  // Demo titles and the pool are made in the background once the content service serves, so the first start is not held up.
  const demo = config.MARQUEE_DEMO_TITLES
    ? waitForDependency(
        { name: "content", url: serviceUrl("content", env), service: ContentService.typeName },
        { timeoutMs: config.MARQUEE_DEPENDENCY_TIMEOUT_MS, log, signal: stopping.signal },
      )
        .then(() =>
          seedDemoTitles({
            ffmpeg: ffmpeg(),
            mediaDir,
            content,
            log,
            seconds: config.MARQUEE_DEMO_SECONDS,
            longSeconds: config.MARQUEE_DEMO_LONG_SECONDS,
            poolSeconds: config.MARQUEE_DEMO_POOL ? DEMO_POOL_SECONDS : 0,
            preset: "ultrafast",
            onProgress: overrides.onDemoProgress,
            signal: stopping.signal,
          }),
        )
        .then(
          (created) => {
            if (created > 0) log.info({ created }, "demo titles ready to play");
          },
          (err: unknown) => {
            if (stopping.signal.aborted) log.info("demo titles stopped; the next start makes the rest");
            else log.warn({ err }, "demo titles could not be made; they are tried again at next start");
          },
        )
    : Promise.resolve();

  return {
    ...server,
    async close() {
      // Ingest stops first (ffmpeg killed, jobs handed over) while calls in flight drain.
      stopping.abort();
      await Promise.allSettled([server.close(), demo, jobs.close()]);
      for (const s of subscriptions) await s.stop();
      if (ownConsumerBus) await consumerBus.close();
      if (overrides.bus === undefined) await bus.close();
      if (overrides.store === undefined) await store.close();
    },
  };
}
