import { durationFromMs, durationMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { type Client, Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { callOptions, requireProfile } from "@marquee/kit";
import type { EventBus } from "@marquee/kit/bus";
import type { AccountService } from "@marquee/sdk/marquee/account/v1/account_service_pb";
import type { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import {
  PlaybackState,
  StreamRefusal_Reason as Reason,
  type StreamingService,
} from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import type { HistoryStore } from "../history/history-store.js";
import type { AssetInfo } from "../ingest/transcode.js";
import { heartbeats } from "./heartbeats.js";
import type { LiveSessions } from "./live-sessions.js";
import { liveSlots } from "./live-slots.js";
import { refusal } from "./refusal.js";
import { toRendition } from "./rendition.js";
import { planHeightCap, trimLadder } from "./rules.js";
import { uuidv7 } from "./session-id.js";
import type { SessionRecord, SessionStore } from "./session-store.js";
import type { MediaSigner } from "./signing.js";

const COUNTRY_HEADER = "x-marquee-country";

export interface PlaybackSettings {
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
  /** How far a heartbeat's event time may be ahead of this server's clock. */
  maxClockSkewMs: number;
}

export interface PlaybackDeps {
  /** Sessions and slots, and the resume position a new session starts at. */
  store: SessionStore & Pick<HistoryStore, "getProgress">;
  bus: EventBus;
  account: Pick<Client<typeof AccountService>, "getEntitlement">;
  content: Pick<Client<typeof ContentService>, "getContentDetails">;
  signer: MediaSigner;
  /** The media origin's session states: told at once when a session stops or takes a slot again here. */
  liveSessions: Pick<LiveSessions, "ended" | "changed">;
  /** The published asset, or undefined. */
  asset: (assetId: string) => Promise<AssetInfo | undefined>;
  settings: PlaybackSettings;
  now: () => number;
}

type PlaybackHandlers = Pick<
  ServiceImpl<typeof StreamingService>,
  | "streamContent"
  | "sendHeartbeat"
  | "sendHeartbeats"
  | "pauseStream"
  | "resumeStream"
  | "stopStream"
  | "renewManifestUrl"
>;

/** The playback handlers: sessions with their stream slots, heartbeats and signed manifest URLs. */
export function playbackHandlers(deps: PlaybackDeps): PlaybackHandlers {
  const { store, settings, now } = deps;
  const slots = liveSlots(deps);
  const readings = heartbeats({ ...deps, slots });

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
        throw refusal("no active subscription: choose a plan to start watching", Reason.NO_SUBSCRIPTION);
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
        throw refusal("this title has no playable media yet: it is coming soon", Reason.NO_MEDIA);
      }
      const asset = await deps.asset(media.assetId);
      if (asset === undefined) {
        throw refusal(
          "this title's media is still being prepared; try again in a minute",
          Reason.MEDIA_NOT_READY,
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
        await slots.saveSession(session);
      } catch (err) {
        await store.releaseSlot(userId, slot, sessionId).catch(() => {});
        throw err;
      }
      slots.started(sessionId);
      const progress = await store.getProgress(req.profileId, req.contentId);
      const resumeMs =
        progress !== undefined && !progress.completed && progress.episodeId === req.episodeId
          ? progress.positionMs
          : 0;
      const signed = manifestUrl(session);
      return {
        sessionId,
        ...signed,
        // Beside the manifest, so its token signs the track and the sprites (the player rebases it on renewal).
        thumbnailsUrl:
          asset.trickPlay === undefined
            ? ""
            : `${signed.manifestUrl.slice(0, signed.manifestUrl.lastIndexOf("/") + 1)}${asset.trickPlay.track}`,
        resumePosition: durationFromMs(resumeMs),
        heartbeatInterval: durationFromMs(settings.heartbeatIntervalMs),
        reportInterval: durationFromMs(settings.reportIntervalMs),
        renditions: renditions.map(toRendition),
        maxQuality: entitlement.maxQuality,
      };
    },

    async sendHeartbeat(req, ctx) {
      await readings.report(ctx, req.sessionId, [req], "");
      return { heartbeatInterval: durationFromMs(settings.heartbeatIntervalMs) };
    },

    async sendHeartbeats(req, ctx) {
      await readings.report(ctx, req.sessionId, req.readings, "readings");
      return {
        heartbeatInterval: durationFromMs(settings.heartbeatIntervalMs),
        reportInterval: durationFromMs(settings.reportIntervalMs),
      };
    },

    async pauseStream(req, ctx) {
      const session = await readings.stateChange(
        ctx,
        req.sessionId,
        durationMs(req.position ?? durationFromMs(0)),
        PlaybackState.PAUSED,
      );
      await slots.keepSlot(session);
      return {};
    },

    async resumeStream(req, ctx) {
      const session = await readings.stateChange(
        ctx,
        req.sessionId,
        durationMs(req.position ?? durationFromMs(0)),
        PlaybackState.PLAYING,
      );
      await slots.keepSlot(session);
      return {};
    },

    async stopStream(req, ctx) {
      // Stopping is idempotent: a player leaving after its STOPPED reading ended the session (or a
      // StopStream retried after a lost answer) finds it stopped, as it asked, and nothing changes.
      if (await slots.stopped(ctx, req.sessionId)) return {};
      const session = await readings.stateChange(
        ctx,
        req.sessionId,
        durationMs(req.position ?? durationFromMs(0)),
        PlaybackState.STOPPED,
      );
      await slots.endSession(session);
      return {};
    },

    async renewManifestUrl(req, ctx) {
      const session = await slots.liveSession(ctx, req.sessionId);
      // A player back from a network loss renews first: its slot may have lapsed meanwhile.
      await slots.keepSlot(session);
      return manifestUrl(session);
    },
  };
}
