import { durationFromMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { RatingValue } from "@marquee/sdk/marquee/feedback/v1/feedback_service_pb";
import { PlaybackState } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import type { Api, Member, Viewer } from "./members.js";
import { PASSWORD } from "./members.js";
import type { Recorder } from "./record.js";

export interface LoadOptions {
  /** How often a player takes a reading and how often it reports them (production: 10 s and 20 s). */
  readingMs: number;
  reportMs: number;
  /** Pause between one background call (login, search, rating) and the next, per kind. */
  backgroundMs: number;
}

/** What the load had acknowledged, to check against durable state at the end. */
export interface Committed {
  /** profileId → contentIds rated (acknowledged RateContent calls). */
  ratings: Map<string, Set<string>>;
}

/** Past 5 % of the 10-hour title: below that the history writer saves no progress (nor history). */
const START_POSITION_MS = 40 * 60_000;
const sleep = (ms: number, stop: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      stop.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    stop.addEventListener("abort", done);
  });

/**
 * A player's heartbeat loop: every report interval, the readings taken since,
 * sent as one SendHeartbeats; a report that fails is sent again (same
 * readings, so the same message id) until it is answered, as the player
 * keeps unsent readings. Only an answered report counts as acknowledged.
 */
async function player(api: Api, v: Viewer, o: LoadOptions, rec: Recorder, stop: AbortSignal) {
  const perReport = Math.max(1, Math.round(o.reportMs / o.readingMs));
  await sleep(Math.random() * o.reportMs, stop);
  while (!stop.aborted) {
    const due = Date.now() + o.reportMs;
    const now = Date.now();
    const readings = Array.from({ length: perReport }, (_, i) => {
      const seq = v.next + i;
      return {
        sequence: BigInt(seq),
        eventTime: timestampFromMs(now - (perReport - 1 - i) * o.readingMs),
        position: durationFromMs(START_POSITION_MS + seq * o.readingMs),
        state: PlaybackState.PLAYING,
        renditionId: "720p",
        bitrateBps: 2_500_000n,
        bufferSeconds: 20,
      };
    });
    const positionMs = START_POSITION_MS + (v.next + perReport - 1) * o.readingMs;
    v.next += perReport;
    // Resend until answered; after the run ends, one last try is still allowed to land.
    for (;;) {
      const ok = await rec.call("heartbeat", () =>
        api.streaming.sendHeartbeats(
          { sessionId: v.sessionId, readings },
          { headers: v.headers, timeoutMs: 10_000 },
        ),
      );
      if (ok !== undefined) {
        v.ackedPositionMs = positionMs;
        v.acked += perReport;
        break;
      }
      if (stop.aborted) break;
      await sleep(1_000, stop);
    }
    await sleep(due - Date.now(), stop);
  }
}

/** Runs until stop: every viewer's player, plus logins, searches and ratings at a steady trickle. */
export async function runLoad(
  api: Api,
  members: Member[],
  titles: { contentId: string; word: string }[],
  o: LoadOptions,
  rec: Recorder,
  committed: Committed,
  stop: AbortSignal,
): Promise<void> {
  const viewers = members.flatMap((m) => m.viewers);
  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)] as T;
  const loop = async (fn: () => Promise<unknown>) => {
    while (!stop.aborted) {
      await fn();
      await sleep(o.backgroundMs, stop);
    }
  };
  await Promise.all([
    ...viewers.map((v) => player(api, v, o, rec, stop)),
    loop(() =>
      rec.call("login", () =>
        api.users.login(
          { email: pick(members).email, password: PASSWORD, deviceName: "chaos" },
          { timeoutMs: 10_000 },
        ),
      ),
    ),
    loop(() =>
      rec.call("search", async () => {
        // Search is a member's call, made with a profile's token like every viewer's.
        const res = await api.content.searchContent(
          { query: pick(titles).word, pageSize: 10 },
          { headers: pick(viewers).headers, timeoutMs: 10_000 },
        );
        if (res.results.length === 0) throw new Error("no hits");
      }),
    ),
    loop(async () => {
      const v = pick(viewers);
      const contentId = pick(titles).contentId;
      const ok = await rec.call("rating", () =>
        api.feedback.rateContent(
          { profileId: v.profileId, contentId, value: RatingValue.THUMBS_UP },
          { headers: v.headers, timeoutMs: 10_000 },
        ),
      );
      if (ok !== undefined) {
        const set = committed.ratings.get(v.profileId) ?? new Set<string>();
        set.add(contentId);
        committed.ratings.set(v.profileId, set);
      }
    }),
  ]);
}
