import type { Committed } from "./load.js";
import type { Api, Member } from "./members.js";

export interface Verdict {
  sessions: number;
  acknowledgedReadings: number;
  /** Sessions whose durable progress or history is behind their newest acknowledged reading. */
  lost: string[];
  /** Sessions with more than one history entry for their title. */
  doubled: string[];
  missingAccounts: string[];
  missingRatings: string[];
  searchAnswers: boolean;
}

const toMs = (d: { seconds: bigint; nanos: number } | undefined) =>
  d === undefined ? 0 : Number(d.seconds) * 1000 + Math.floor(d.nanos / 1e6);

/**
 * Reads back, through the gateway, what the platform acknowledged: each
 * session's progress and its history entry at (at least) its newest
 * acknowledged position, exactly one history entry per session, every member
 * able to log in with an active subscription, every acknowledged rating, and
 * a search answering. Durable state trails acknowledgement by the history
 * writer's lag, so lagging sessions are read again until the deadline.
 */
export async function verify(api: Api, members: Member[], committed: Committed, deadlineMs: number) {
  const viewers = members.flatMap((m) => m.viewers);
  const opts = (headers: Record<string, string>) => ({ headers, timeoutMs: 15_000 });
  const reasons = new Map<string, string>();
  const behind = async (v: (typeof viewers)[number]) => {
    try {
      const { progress } = await api.streaming.getPlaybackPosition(
        { profileId: v.profileId, contentId: v.contentId },
        opts(v.headers),
      );
      const { entries } = await api.streaming.listViewingHistory(
        { profileId: v.profileId, pageSize: 100 },
        opts(v.headers),
      );
      const mine = entries.filter((e) => e.contentId === v.contentId && !e.summary);
      return {
        lost:
          toMs(progress?.position) < v.ackedPositionMs ||
          (mine[0] === undefined && v.acked > 0) ||
          mine.some((e) => toMs(e.position) < v.ackedPositionMs),
        doubled: mine.length > 1,
      };
    } catch {
      return { lost: true, doubled: false };
    }
  };
  let pending = viewers.filter((v) => v.acked > 0);
  const doubled = new Set<string>();
  for (;;) {
    const results = await Promise.all(pending.map(async (v) => ({ v, r: await behind(v) })));
    for (const { v, r } of results) if (r.doubled) doubled.add(v.sessionId);
    pending = results.filter(({ r }) => r.lost).map(({ v }) => v);
    if (pending.length === 0 || Date.now() > deadlineMs) break;
    await new Promise((r) => setTimeout(r, 2_000));
  }
  const missingAccounts: string[] = [];
  for (const m of members) {
    try {
      const { tokens } = await api.users.login(
        { email: m.email, password: "chaos run password 123", deviceName: "chaos-check" },
        { timeoutMs: 15_000 },
      );
      const details = await api.account.getSubscriptionDetails(
        { userId: m.userId },
        opts({ authorization: `Bearer ${tokens?.accessToken}` }),
      );
      if (details.subscription === undefined) missingAccounts.push(m.email);
    } catch {
      missingAccounts.push(m.email);
    }
  }
  const missingRatings: string[] = [];
  const headersOf = new Map(viewers.map((v) => [v.profileId, v.headers]));
  for (const [profileId, contentIds] of committed.ratings) {
    try {
      const { ratings } = await api.feedback.getUserRatings(
        { profileId, pageSize: 100 },
        opts(headersOf.get(profileId) ?? {}),
      );
      const have = new Set(ratings.map((r) => r.contentId));
      for (const c of contentIds) if (!have.has(c)) missingRatings.push(`${profileId}/${c}`);
    } catch {
      missingRatings.push(`${profileId}/*`);
    }
  }
  let searchAnswers = false;
  try {
    const res = await api.content.searchContent(
      { query: "the", pageSize: 5 },
      opts(viewers[0]?.headers ?? {}),
    );
    searchAnswers = res.results.length > 0;
  } catch {
    searchAnswers = false;
  }
  const verdict: Verdict = {
    sessions: viewers.length,
    acknowledgedReadings: viewers.reduce((n, v) => n + v.acked, 0),
    lost: pending.map((v) => `${v.sessionId} (${reasons.get(v.sessionId)})`),
    doubled: [...doubled],
    missingAccounts,
    missingRatings,
    searchAnswers,
  };
  return verdict;
}
