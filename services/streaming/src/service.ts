import { existsSync } from "node:fs";
import path from "node:path";
import {
  durationFromMs,
  durationMs,
  timestampDate,
  timestampFromDate,
  timestampFromMs,
} from "@bufbuild/protobuf/wkt";
import { type Client, Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";

import {
  callOptions,
  decodePageToken,
  encodePageToken,
  requireMember,
  requireProfile,
  requireScope,
} from "@marquee/kit";
import { EVENTS, type EventBus, publishEvent } from "@marquee/kit/bus";

import type { AccountService } from "@marquee/sdk/marquee/account/v1/account_service_pb";
import type { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import {
  type HeartbeatReading,
  IngestState,
  PlaybackState,
  type StreamingService,
} from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import type { Logger } from "pino";
import { z } from "zod";
import { listViewingHistory } from "./history-listing.js";
import type { IngestJobs, JobSnapshot } from "./ingest/jobs.js";
import type { Rung } from "./ingest/ladder.js";
import type { AssetInfo } from "./ingest/transcode.js";
import type { LiveSessions } from "./playback/live-sessions.js";
import { ownSession } from "./playback/session-access.js";
import { planHeightCap, positionProblem, qualityOfHeight, trimLadder, uuidv7 } from "./rules.js";
import type { MediaSigner } from "./signing.js";
import type { SessionRecord, StreamingStore } from "./store.js";

const MEDIA_WRITE = "media:write";

/** The fields of a heartbeat reading (SendHeartbeat's request and SendHeartbeats' readings share them). */
type Reading = Pick<
  HeartbeatReading,
  | "sequence"
  | "eventTime"
  | "position"
  | "state"
  | "renditionId"
  | "bitrateBps"
  | "bufferSeconds"
  | "droppedFrames"
>;

interface StreamingSettings {
  /** How often the player takes a reading. */
  heartbeatIntervalMs: number;
  /** How often the player reports its readings. */
  reportIntervalMs: number;
  /** A stream slot not renewed by a heartbeat for this long is freed. */
  slotLeaseMs: number;
  /** Lifetime of a signed manifest URL. */
  manifestUrlTtlMs: number;
  /** How long a session is remembered. */
  sessionTtlMs: number;
  /** Prepended to /media/s/… (empty: URLs relative to the gateway). */
  mediaBaseUrl: string;
  /** Month buckets of history read and erased. */
  historyMonths: number;
  /** Where StartIngest finds sources. */
  ingestDir: string;
  /** How far a heartbeat's event time may be ahead of this server's clock. */
  maxClockSkewMs: number;
}

export interface StreamingDeps {
  store: StreamingStore;
  bus: EventBus;
  account: Pick<Client<typeof AccountService>, "getEntitlement">;
  content: Pick<Client<typeof ContentService>, "getContentDetails">;
  signer: MediaSigner;
  /** The media origin's session states: told at once when a session stops or takes a slot again here. */
  liveSessions: Pick<LiveSessions, "ended" | "changed">;
  /** The published asset, or undefined. */
  asset: (assetId: string) => Promise<AssetInfo | undefined>;
  jobs: IngestJobs;
  settings: StreamingSettings;
  log: Logger;
  now?: () => number;
}

const COUNTRY_HEADER = "x-marquee-country";
/** How long a session read from the store is trusted without reading it again (another instance may stop it). */
const SESSION_CACHE_MS = 30_000;
const SESSION_CACHE_SIZE = 100_000;
const STOPPED = "this playback session was stopped; start a new one";
const historyToken = z.object({ w: z.number().int().nonnegative(), c: z.string().uuid() });

const INGEST_STATES = {
  queued: IngestState.QUEUED,
  running: IngestState.RUNNING,
  succeeded: IngestState.SUCCEEDED,
  failed: IngestState.FAILED,
} as const;

function toRendition(r: Rung) {
  return {
    renditionId: r.id,
    height: r.height,
    width: r.width,
    bitrateBps: BigInt(r.bitrateBps),
    quality: qualityOfHeight(r.height),
  };
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

/** The StreamingService handlers; storage, bus and the other services come in through `deps`. */
export function streamingService(deps: StreamingDeps): ServiceImpl<typeof StreamingService> {
  const { store, bus, settings, log } = deps;
  const now = deps.now ?? Date.now;
  /** When each session last renewed its slot (renewal runs every third of the lease, not every beat). */
  const renewedAt = new Map<string, number>();
  /** Sessions read recently: a heartbeat needs no store read (entries live SESSION_CACHE_MS). */
  const sessions = new Map<string, { session: SessionRecord; until: number }>();
  const getSession = async (sessionId: string) => {
    const hit = sessions.get(sessionId);
    if (hit !== undefined && hit.until > now()) return { ...hit.session };
    const session = await store.getSession(sessionId);
    if (session !== undefined) remember(session);
    return session;
  };
  const remember = (session: SessionRecord) => {
    if (sessions.size >= SESSION_CACHE_SIZE) sessions.clear();
    sessions.set(session.sessionId, { session: { ...session }, until: now() + SESSION_CACHE_MS });
  };
  const saveSession = async (session: SessionRecord) => {
    await store.putSession(session, settings.sessionTtlMs);
    remember(session);
  };

  const manifestUrl = (s: SessionRecord) => {
    const expiresMs = now() + settings.manifestUrlTtlMs;
    const expires = Math.floor(expiresMs / 1000);
    const p = deps.signer.manifestPath({
      sessionId: s.sessionId,
      assetId: s.assetId,
      expires,
      maxHeight: s.maxHeight,
    });
    return {
      manifestUrl: `${settings.mediaBaseUrl}${p}`,
      manifestExpireTime: timestampFromMs(expires * 1000),
    };
  };

  /** The caller's live session, or the error that explains why not. */
  const liveSession = async (ctx: HandlerContext, sessionId: string): Promise<SessionRecord> => {
    const caller = requireMember(ctx);
    const session = ownSession(caller, await getSession(sessionId));
    if (session.ended) throw new ConnectError(STOPPED, Code.FailedPrecondition);
    return session;
  };

  const checkPosition = (session: SessionRecord, positionMs: number) => {
    const problem = positionProblem(positionMs, session.durationMs);
    if (problem !== undefined) throw new ConnectError(`position: ${problem}`, Code.InvalidArgument);
  };

  /**
   * Keeps the session's slot; a lapsed slot is taken again if one is free. The session is read
   * afresh first: the cached copy may predate a stop on another replica, which must not be undone.
   */
  const keepSlot = async (session: SessionRecord) => {
    const last = renewedAt.get(session.sessionId) ?? 0;
    if (now() - last < settings.slotLeaseMs / 3) return;
    const held = await store.renewSlot(session.userId, session.slot, session.sessionId, settings.slotLeaseMs);
    if (!held) {
      const stored = await store.getSession(session.sessionId);
      if (stored === undefined || stored.ended) {
        sessions.delete(session.sessionId);
        throw new ConnectError(STOPPED, Code.FailedPrecondition);
      }
      const slot = await store.reserveSlot(
        session.userId,
        session.sessionId,
        session.maxStreams,
        settings.slotLeaseMs,
      );
      if (slot === undefined) {
        throw new ConnectError(
          `this session went quiet too long and all ${session.maxStreams} streams of your plan are now in use; stop playback on another device`,
          Code.ResourceExhausted,
        );
      }
      if (slot !== stored.slot) await saveSession({ ...stored, slot });
      else remember(stored);
      session.slot = slot;
      deps.liveSessions.changed(session.sessionId);
    }
    renewedAt.set(session.sessionId, now());
    if (renewedAt.size > 100_000) renewedAt.clear();
  };

  /** Marks the session ended, refuses its media and frees its stream slot (StopStream, or a STOPPED reading). */
  const endSession = async (session: SessionRecord) => {
    await saveSession({ ...session, ended: true });
    deps.liveSessions.ended(session.sessionId);
    await store.releaseSlot(session.userId, session.slot, session.sessionId);
    renewedAt.delete(session.sessionId);
  };

  /** Publishes a reading to PLAYBACK; the history writer turns it into progress and history. */
  const publishReading = async (
    session: SessionRecord,
    r: {
      sequence: bigint;
      msgId: string;
      eventTimeMs: number;
      positionMs: number;
      state: PlaybackState;
    } & Partial<{
      renditionId: string;
      bitrateBps: bigint;
      bufferSeconds: number;
      droppedFrames: bigint;
    }>,
  ) => {
    await publishEvent(
      bus,
      EVENTS.playbackHeartbeat,
      {
        sessionId: session.sessionId,
        sequence: r.sequence,
        userId: session.userId,
        profileId: session.profileId,
        contentId: session.contentId,
        episodeId: session.episodeId,
        eventTime: timestampFromMs(r.eventTimeMs),
        position: durationFromMs(r.positionMs),
        duration: durationFromMs(session.durationMs),
        state: r.state,
        renditionId: r.renditionId ?? "",
        bitrateBps: r.bitrateBps ?? 0n,
        bufferSeconds: r.bufferSeconds ?? 0,
        droppedFrames: r.droppedFrames ?? 0n,
        deviceId: session.deviceId,
        country: session.country,
      },
      r.msgId,
      session.profileId,
    );
  };

  /** Pause, resume and stop are readings too, stamped with the server's clock. */
  const stateChange = async (
    ctx: HandlerContext,
    sessionId: string,
    positionMs: number,
    state: PlaybackState,
  ) => {
    const session = await liveSession(ctx, sessionId);
    checkPosition(session, positionMs);
    const at = now();
    const kind = PlaybackState[state].toLowerCase();
    await publishReading(session, {
      sequence: 0n,
      msgId: `${session.sessionId}:${kind}:${at}`,
      eventTimeMs: at,
      positionMs,
      state,
    });
    return session;
  };

  /**
   * Checks every reading first (one bad reading refuses them all, nothing published), keeps the
   * slot once, then publishes them together; a STOPPED reading ends the session.
   */
  const report = async (
    ctx: HandlerContext,
    sessionId: string,
    readings: readonly Reading[],
    field: "" | "readings",
  ) => {
    const session = await liveSession(ctx, sessionId);
    const at = (i: number) => (field === "" ? "" : `${field}[${i}].`);
    const checked = readings.map((r, i) => {
      const positionMs = durationMs(r.position ?? durationFromMs(0));
      const problem = positionProblem(positionMs, session.durationMs);
      if (problem !== undefined) throw new ConnectError(`${at(i)}position: ${problem}`, Code.InvalidArgument);
      const eventTimeMs = timestampDate(r.eventTime ?? timestampFromMs(now())).getTime();
      if (eventTimeMs > now() + settings.maxClockSkewMs) {
        throw new ConnectError(
          `${at(i)}event_time is in the future; check the device clock`,
          Code.InvalidArgument,
        );
      }
      if (eventTimeMs < session.startTime.getTime() - settings.maxClockSkewMs) {
        throw new ConnectError(`${at(i)}event_time is before the session started`, Code.InvalidArgument);
      }
      const before = readings[i - 1];
      if (before !== undefined && r.sequence <= before.sequence) {
        throw new ConnectError(
          `${at(i)}sequence: readings must be in ascending sequence order, without repeats`,
          Code.InvalidArgument,
        );
      }
      if (r.state === PlaybackState.STOPPED && i < readings.length - 1) {
        throw new ConnectError(`${at(i)}state: STOPPED can only be the last reading`, Code.InvalidArgument);
      }
      return { ...r, positionMs, eventTimeMs };
    });
    await keepSlot(session);
    await Promise.all(
      checked.map((r) => publishReading(session, { ...r, msgId: `${session.sessionId}:${r.sequence}` })),
    );
    if (checked.at(-1)?.state === PlaybackState.STOPPED) await endSession(session);
  };

  return {
    async streamContent(req, ctx) {
      const caller = requireProfile(ctx, req.profileId);
      if (caller.userId === undefined) {
        throw new ConnectError(
          "StreamContent must be made for a member account (no user id in the caller)",
          Code.FailedPrecondition,
        );
      }
      const userId = caller.userId;
      const entitlement = await deps.account.getEntitlement(
        { userId },
        callOptions(ctx, undefined, { asService: "streaming" }),
      );
      if (!entitlement.active) {
        throw new ConnectError(
          "no active subscription: choose a plan to start watching",
          Code.FailedPrecondition,
        );
      }
      const { content } = await deps.content.getContentDetails(
        { contentId: req.contentId },
        callOptions(ctx),
      );
      if (content === undefined) throw new ConnectError("no such title", Code.NotFound);
      let media = content.media;
      if (req.episodeId !== "") {
        const episode = content.seasons.flatMap((s) => s.episodes).find((e) => e.episodeId === req.episodeId);
        if (episode === undefined) throw new ConnectError("this series has no such episode", Code.NotFound);
        media = episode.media;
      }
      if (media === undefined || media.assetId === "") {
        throw new ConnectError("this title has no playable media yet", Code.FailedPrecondition);
      }
      const asset = await deps.asset(media.assetId);
      if (asset === undefined) {
        throw new ConnectError(
          "this title's media is not available on this origin yet",
          Code.FailedPrecondition,
        );
      }
      const cap = planHeightCap(entitlement.maxHeight, entitlement.maxQuality);
      const renditions = trimLadder(asset.renditions, cap);
      const maxHeight = cap > 0 ? Math.max(...renditions.map((r) => r.height)) : 0;
      const maxStreams = Math.max(1, entitlement.maxStreams);

      const sessionId = uuidv7(now());
      const slot = await store.reserveSlot(userId, sessionId, maxStreams, settings.slotLeaseMs);
      if (slot === undefined) {
        throw new ConnectError(
          `your plan allows ${maxStreams} stream${maxStreams === 1 ? "" : "s"} at once and all are in use; stop playback on another device or upgrade your plan`,
          Code.ResourceExhausted,
        );
      }
      const country = ctx.requestHeader.get(COUNTRY_HEADER) ?? "";
      const session: SessionRecord = {
        sessionId,
        userId,
        profileId: req.profileId,
        contentId: req.contentId,
        episodeId: req.episodeId,
        deviceId: req.deviceId,
        assetId: asset.assetId,
        durationMs: asset.durationMs,
        maxHeight,
        maxStreams,
        slot,
        startTime: new Date(now()),
        country: /^[A-Z]{2}$/.test(country) ? country : "",
        ended: false,
      };
      try {
        await saveSession(session);
      } catch (err) {
        await store.releaseSlot(userId, slot, sessionId).catch(() => {});
        throw err;
      }
      renewedAt.set(sessionId, now());
      const progress = await store.getProgress(req.profileId, req.contentId);
      const resumeMs =
        progress !== undefined && !progress.completed && progress.episodeId === req.episodeId
          ? progress.positionMs
          : 0;
      return {
        sessionId,
        ...manifestUrl(session),
        resumePosition: durationFromMs(resumeMs),
        heartbeatInterval: durationFromMs(settings.heartbeatIntervalMs),
        reportInterval: durationFromMs(settings.reportIntervalMs),
        renditions: renditions.map(toRendition),
        maxQuality: entitlement.maxQuality,
      };
    },

    async sendHeartbeat(req, ctx) {
      await report(ctx, req.sessionId, [req], "");
      return { heartbeatInterval: durationFromMs(settings.heartbeatIntervalMs) };
    },

    async sendHeartbeats(req, ctx) {
      await report(ctx, req.sessionId, req.readings, "readings");
      return {
        heartbeatInterval: durationFromMs(settings.heartbeatIntervalMs),
        reportInterval: durationFromMs(settings.reportIntervalMs),
      };
    },

    async pauseStream(req, ctx) {
      const session = await stateChange(
        ctx,
        req.sessionId,
        durationMs(req.position ?? durationFromMs(0)),
        PlaybackState.PAUSED,
      );
      await keepSlot(session);
      return {};
    },

    async resumeStream(req, ctx) {
      const session = await stateChange(
        ctx,
        req.sessionId,
        durationMs(req.position ?? durationFromMs(0)),
        PlaybackState.PLAYING,
      );
      await keepSlot(session);
      return {};
    },

    async stopStream(req, ctx) {
      const session = await stateChange(
        ctx,
        req.sessionId,
        durationMs(req.position ?? durationFromMs(0)),
        PlaybackState.STOPPED,
      );
      await endSession(session);
      return {};
    },

    async renewManifestUrl(req, ctx) {
      const session = await liveSession(ctx, req.sessionId);
      // A player back from a network loss renews first: its slot may have lapsed meanwhile.
      await keepSlot(session);
      return manifestUrl(session);
    },

    async getContinueWatching(req, ctx) {
      requireProfile(ctx, req.profileId);
      const items = (await store.listProgress(req.profileId))
        .filter((p) => !p.completed)
        .sort((a, b) => b.updateTime.getTime() - a.updateTime.getTime())
        .slice(0, req.pageSize);
      return {
        items: items.map((p) => ({
          contentId: p.contentId,
          episodeId: p.episodeId,
          position: durationFromMs(p.positionMs),
          duration: durationFromMs(p.durationMs),
          completed: p.completed,
          updateTime: timestampFromDate(p.updateTime),
          deviceId: p.deviceId,
        })),
      };
    },

    async getPlaybackPosition(req, ctx) {
      requireProfile(ctx, req.profileId);
      const p = await store.getProgress(req.profileId, req.contentId);
      if (p === undefined) return {};
      return {
        progress: {
          contentId: p.contentId,
          episodeId: p.episodeId,
          position: durationFromMs(p.completed ? 0 : p.positionMs),
          duration: durationFromMs(p.durationMs),
          completed: p.completed,
          updateTime: timestampFromDate(p.updateTime),
          deviceId: p.deviceId,
        },
      };
    },

    async listViewingHistory(req, ctx) {
      requireProfile(ctx, req.profileId);
      const token = decodePageToken(req.pageToken, historyToken);
      const cursor = token === undefined ? undefined : { watchedAtMs: token.w, contentId: token.c };
      const page = await listViewingHistory(
        store,
        req.profileId,
        req.pageSize,
        cursor,
        now(),
        settings.historyMonths,
      );
      return {
        entries: page.entries.map((e) => ({
          contentId: e.contentId,
          episodeId: e.episodeId,
          watchTime: timestampFromDate(e.watchedAt),
          position: durationFromMs(e.positionMs),
          completed: e.completed,
          summary: e.summary,
        })),
        nextPageToken:
          page.next === undefined
            ? ""
            : encodePageToken({ w: page.next.watchedAtMs, c: page.next.contentId }),
      };
    },

    async removeFromViewingHistory(req, ctx) {
      requireProfile(ctx, req.profileId);
      await store.removeTitle(req.profileId, req.contentId, new Date(now()), settings.historyMonths);
      return {};
    },

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
