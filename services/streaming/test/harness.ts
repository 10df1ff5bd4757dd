import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { type Client, Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { CALLER_HEADER, type Caller, createLogger, encodeCaller, type Server, serve } from "@marquee/kit";
import type { BusEvent, EventBus, Subscription } from "@marquee/kit/bus";
import { EmbeddedBus } from "@marquee/kit/embedded";
import { AccountService, PlanTier } from "@marquee/sdk/marquee/account/v1/account_service_pb";
import { VideoQuality } from "@marquee/sdk/marquee/common/v1/video_quality_pb";
import { ContentSchema } from "@marquee/sdk/marquee/content/v1/content_pb";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { StreamingService } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import { startErasure, startHistoryWriter } from "../src/history/writer.js";
import { IngestJobs } from "../src/ingest/jobs.js";
import { VIDEO_LADDER } from "../src/ingest/ladder.js";
import type { AssetInfo } from "../src/ingest/transcode.js";
import { LiveSessions, readSessionState } from "../src/playback/live-sessions.js";
import { mediaOrigin } from "../src/playback/media-origin.js";
import { MediaSigner } from "../src/playback/signing.js";
import { QoeAggregate } from "../src/qoe/aggregate.js";
import { startQoeConsumer } from "../src/qoe/consumer.js";
import { streamingService } from "../src/service.js";
import type { StreamingStore } from "../src/store.js";
import { EmbeddedStreamingStore } from "../src/store-embedded.js";

export const ASSET_ID = "0a9f4b8e-5c1d-4e7f-8a2b-3c4d5e6f7a8b";
export const DURATION_MS = 600_000;
export const SECRET = "test-signing-secret-0123456789";

export interface Entitlement {
  active: boolean;
  maxHeight: number;
  maxQuality: VideoQuality;
  maxStreams: number;
}

export interface Harness {
  /** The service, with its media origin at /media/ as in production. */
  server: Server;
  /** A second replica's media origin on the same store (it hears of stops only through the store). */
  replicaUrl: string;
  /** How long an origin trusts a session state it read (MARQUEE_MEDIA_SESSION_CHECK_MS). */
  mediaCheckMs: number;
  store: StreamingStore;
  bus: EventBus;
  /** A client speaking as the given caller. */
  as(caller: Caller): Client<typeof StreamingService>;
  member(): { caller: Caller; userId: string; profileId: string };
  entitlements: Map<string, Entitlement>;
  /** Reports the history writer has finished with: how often, by msgId. */
  durable: Map<string, number>;
  contentId: string;
  close(): Promise<void>;
}

export const PREMIUM: Entitlement = {
  active: true,
  maxHeight: 0,
  maxQuality: VideoQuality.ULTRA_HD,
  maxStreams: 4,
};

export const TEST_ASSET: AssetInfo = {
  assetId: ASSET_ID,
  durationMs: DURATION_MS,
  maxHeight: 1080,
  renditions: [...VIDEO_LADDER],
  audioBitrateBps: 128_000,
  manifestPath: `${ASSET_ID}/manifest.mpd`,
  posterPath: `/media/art/${ASSET_ID}/poster.jpg`,
  thumbnailPath: `/media/art/${ASSET_ID}/thumb-0001.jpg`,
  trickPlay: {
    track: "thumbnails.vtt",
    sprites: ["sprite-001.jpg"],
    intervalSeconds: 10,
    tileWidth: 192,
    tileHeight: 108,
  },
};

/** Writes TEST_ASSET's files (the fixture manifest, an init and a media segment per rendition, a thumbnails track and its sprite) under `mediaDir`. */
function writeTestAsset(mediaDir: string): void {
  const dir = path.join(mediaDir, ASSET_ID);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "manifest.mpd"),
    readFileSync(new URL("./fixtures/manifest.mpd", import.meta.url)),
  );
  for (const rendition of [...VIDEO_LADDER.map((r) => r.id), "audio"]) {
    writeFileSync(path.join(dir, `init-${rendition}.m4s`), `init ${rendition}`);
    writeFileSync(path.join(dir, `chunk-${rendition}-00001.m4s`), `segment 1 of ${rendition}`);
  }
  writeFileSync(
    path.join(dir, "thumbnails.vtt"),
    "WEBVTT\n\n00:00:00.000 --> 00:00:10.000\nsprite-001.jpg#xywh=0,0,192,108\n",
  );
  writeFileSync(path.join(dir, "sprite-001.jpg"), "sprite 1");
}

/**
 * The streaming service on a real server (port 0) with the given store and
 * bus, its history writer and erasure consumers running, its media origin
 * serving TEST_ASSET (and a second replica's origin on the same store), and
 * in-process fakes of the account and content services (createRouterTransport).
 */
export async function startHarness(
  opts: { store?: StreamingStore; bus?: EventBus; slotLeaseMs?: number; mediaCheckMs?: number } = {},
): Promise<Harness> {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(path.join(tmpdir(), "marquee-streaming-"));
    dirs.push(d);
    return d;
  };
  const log = createLogger("test", "silent");
  const store = opts.store ?? (await EmbeddedStreamingStore.open(tmp()));
  const bus = opts.bus ?? (await EmbeddedBus.open(tmp(), log));
  const entitlements = new Map<string, Entitlement>();
  const contentId = randomUUID();

  const account = createClient(
    AccountService,
    createRouterTransport(({ service }) =>
      service(AccountService, {
        getEntitlement(req) {
          const e = entitlements.get(req.userId) ?? PREMIUM;
          return { ...e, tier: PlanTier.UNSPECIFIED };
        },
      }),
    ),
  );
  const content = createClient(
    ContentService,
    createRouterTransport(({ service }) =>
      service(ContentService, {
        getContentDetails(req) {
          if (req.contentId !== contentId) throw new ConnectError("no such title", Code.NotFound);
          return {
            content: create(ContentSchema, {
              contentId,
              title: "Fixture",
              media: {
                assetId: ASSET_ID,
                manifestPath: TEST_ASSET.manifestPath,
                duration: durationFromMs(DURATION_MS),
                maxHeight: 1080,
              },
            }),
          };
        },
      }),
    ),
  );
  const durable = new Map<string, number>();
  const onDurable = (e: BusEvent) => durable.set(e.msgId, (durable.get(e.msgId) ?? 0) + 1);
  const subs: Subscription[] = [
    await startHistoryWriter({ bus, store, log, onDurable }),
    await startErasure({ bus, store, log, months: 13 }),
  ];
  const qoe = new QoeAggregate();
  subs.push(await startQoeConsumer(bus, qoe, log));
  const jobs = new IngestJobs({ store, log, run: async () => [] });
  const mediaDir = tmp();
  writeTestAsset(mediaDir);
  const signer = new MediaSigner(SECRET);
  const mediaCheckMs = opts.mediaCheckMs ?? 1_000;
  const originOn = (sessions: LiveSessions) => mediaOrigin({ mediaDir, signer, sessions, log });
  const liveSessions = new LiveSessions((id) => readSessionState(store, id), { checkMs: mediaCheckMs });
  const origin = originOn(liveSessions);
  const replica = http.createServer(
    originOn(new LiveSessions((id) => readSessionState(store, id), { checkMs: mediaCheckMs })),
  );
  await new Promise<void>((resolve) => replica.listen(0, "127.0.0.1", resolve));
  const server = await serve({
    name: "streaming",
    services: [StreamingService],
    host: "127.0.0.1",
    port: 0,
    log,
    // Everything but RPCs goes to the origin, which answers 404 outside /media/.
    fallback: (req, res) => origin(req as IncomingMessage, res as ServerResponse),
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
          asset: async (id) => (id === ASSET_ID ? TEST_ASSET : undefined),
          jobs,
          qoe,
          log,
          settings: {
            heartbeatIntervalMs: 10_000,
            reportIntervalMs: 20_000,
            slotLeaseMs: opts.slotLeaseMs ?? 45_000,
            manifestUrlTtlMs: 3_600_000,
            sessionTtlMs: 3_600_000,
            mediaBaseUrl: "",
            historyMonths: 13,
            ingestDir: tmp(),
            maxClockSkewMs: 300_000,
          },
        }),
      ),
  });
  const transport = createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" });
  return {
    server,
    replicaUrl: `http://127.0.0.1:${(replica.address() as AddressInfo).port}`,
    mediaCheckMs,
    store,
    bus,
    entitlements,
    durable,
    contentId,
    as(caller) {
      const header = encodeCaller(caller);
      return createClient(
        StreamingService,
        createConnectTransport({
          baseUrl: server.url,
          httpVersion: "1.1",
          interceptors: [
            (next) => (req) => {
              req.header.set(CALLER_HEADER, header);
              return next(req);
            },
          ],
        }),
      );
    },
    member() {
      const userId = randomUUID();
      const profileId = randomUUID();
      return { userId, profileId, caller: { kind: "member", userId, profileId, scopes: [] } };
    },
    async close() {
      await server.close();
      replica.closeAllConnections();
      await new Promise((resolve) => replica.close(resolve));
      for (const s of subs) await s.stop();
      if (opts.bus === undefined) await bus.close();
      if (opts.store === undefined) await store.close();
      void transport;
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}
