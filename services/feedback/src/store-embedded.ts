import { mkdirSync } from "node:fs";
import { KeyedLock } from "@marquee/kit";
import { ClassicLevel } from "classic-level";
import { applyChange, nextUpdateTime, type RatingCounts, type RatingValue, ZERO_COUNTS } from "./ratings.js";
import {
  type ErasureResult,
  type FeedbackEntry,
  type FeedbackStore,
  type RatingChange,
  type RatingCursor,
  type RatingsPage,
  reviewDay,
  type StoredRating,
} from "./store.js";

/**
 * Keys (one classic-level database, values JSON):
 *   t!<content>!<profile>            the rating by title: {v, pv, seq, t, pt}
 *   a!<content>                      the title's counts
 *   p!<profile>!<content>            the rating by profile: {v, t} (kept with v 0 after removal)
 *   l!<profile>!<desc t>!<desc c>    the profile's ratings newest first (only v > 0)
 *   f!<profile>!<desc t>!<id>        feedback by profile
 *   r!<day>!<desc t>!<id>            feedback by day, for review
 * Every change of a title's ratings runs under that title's lock and lands
 * in one atomic batch, so counts, rows and indexes never disagree.
 */
interface TitleRow {
  v: RatingValue;
  pv: RatingValue;
  seq: number;
  t: number;
}

const MAX_TIME = 9_999_999_999_999;
/** Sorts later times first. */
const descTime = (ms: number) => String(MAX_TIME - ms).padStart(13, "0");
/** Sorts hex ids in reverse (as Cassandra's DESC clustering order does). */
const descId = (id: string) => id.replace(/[0-9a-f]/g, (d) => (15 - Number.parseInt(d, 16)).toString(16));

export async function openEmbeddedFeedbackStore(dir: string): Promise<FeedbackStore> {
  mkdirSync(dir, { recursive: true });
  const db = new ClassicLevel<string, string>(dir);
  await db.open();
  return new EmbeddedFeedbackStore(db);
}

class EmbeddedFeedbackStore implements FeedbackStore {
  readonly #db: ClassicLevel<string, string>;
  readonly #titles = new KeyedLock();

  constructor(db: ClassicLevel<string, string>) {
    this.#db = db;
  }

  async #json<T>(key: string): Promise<T | undefined> {
    const value = await this.#db.get(key);
    return value === undefined ? undefined : (JSON.parse(value) as T);
  }

  setRating(profileId: string, contentId: string, value: RatingValue, now: Date) {
    return this.#titles.run(contentId, async (): Promise<RatingChange | undefined> => {
      const row = await this.#json<TitleRow>(`t!${contentId}!${profileId}`);
      if (row === undefined && value === 0) return undefined;
      if (row !== undefined && row.v === value) {
        return {
          profileId,
          contentId,
          value: row.v,
          previousValue: row.pv,
          seq: row.seq,
          updateTime: new Date(row.t),
          changed: false,
        };
      }
      const previous: RatingValue = row?.v ?? 0;
      const time = nextUpdateTime(now, row === undefined ? undefined : new Date(row.t));
      const counts = applyChange(await this.contentRatings(contentId), previous, value);
      const next: TitleRow = { v: value, pv: previous, seq: (row?.seq ?? 0) + 1, t: time.getTime() };
      const batch = this.#db.batch();
      batch.put(`t!${contentId}!${profileId}`, JSON.stringify(next));
      batch.put(`a!${contentId}`, JSON.stringify(counts));
      batch.put(`p!${profileId}!${contentId}`, JSON.stringify({ v: value, t: next.t }));
      if (row !== undefined && row.v !== 0)
        batch.del(`l!${profileId}!${descTime(row.t)}!${descId(contentId)}`);
      if (value !== 0) batch.put(`l!${profileId}!${descTime(next.t)}!${descId(contentId)}`, contentId);
      await batch.write();
      return {
        profileId,
        contentId,
        value,
        previousValue: previous,
        seq: next.seq,
        updateTime: time,
        changed: true,
      };
    });
  }

  async getRating(profileId: string, contentId: string): Promise<StoredRating | undefined> {
    const row = await this.#json<TitleRow>(`t!${contentId}!${profileId}`);
    if (row === undefined || row.v === 0) return undefined;
    return { profileId, contentId, value: row.v, updateTime: new Date(row.t) };
  }

  async contentRatings(contentId: string): Promise<RatingCounts> {
    return (await this.#json<RatingCounts>(`a!${contentId}`)) ?? { ...ZERO_COUNTS };
  }

  async recountContentRatings(contentId: string): Promise<RatingCounts> {
    let counts: RatingCounts = { ...ZERO_COUNTS };
    for await (const value of this.#db.values({ gt: `t!${contentId}!`, lt: `t!${contentId}!~` })) {
      counts = applyChange(counts, 0, (JSON.parse(value) as TitleRow).v);
    }
    return counts;
  }

  async listRatings(profileId: string, limit: number, after?: RatingCursor): Promise<RatingsPage> {
    const prefix = `l!${profileId}!`;
    const start =
      after === undefined ? prefix : `${prefix}${descTime(after.updateTime)}!${descId(after.contentId)}`;
    const entries = await this.#db.iterator({ gt: start, lt: `${prefix}~`, limit: limit + 1 }).all();
    const ratings: StoredRating[] = [];
    for (const [, contentId] of entries.slice(0, limit)) {
      const rating = await this.getRating(profileId, contentId);
      if (rating !== undefined) ratings.push(rating);
    }
    const last = ratings.at(-1);
    return entries.length > limit && last !== undefined
      ? { ratings, next: { updateTime: last.updateTime.getTime(), contentId: last.contentId } }
      : { ratings };
  }

  async addFeedback(entry: FeedbackEntry): Promise<void> {
    const value = JSON.stringify({ ...entry, createTime: entry.createTime.getTime() });
    const order = `${descTime(entry.createTime.getTime())}!${entry.feedbackId}`;
    await this.#db.batch([
      { type: "put", key: `f!${entry.profileId}!${order}`, value },
      { type: "put", key: `r!${reviewDay(entry.createTime)}!${order}`, value },
    ]);
  }

  async #feedback(prefix: string, limit = -1): Promise<FeedbackEntry[]> {
    const values = await this.#db.values({ gt: prefix, lt: `${prefix}~`, limit }).all();
    return values.map((v) => {
      const parsed = JSON.parse(v) as Omit<FeedbackEntry, "createTime"> & { createTime: number };
      return { ...parsed, createTime: new Date(parsed.createTime) };
    });
  }

  listFeedback(profileId: string): Promise<FeedbackEntry[]> {
    return this.#feedback(`f!${profileId}!`);
  }

  listFeedbackForReview(day: string, limit: number): Promise<FeedbackEntry[]> {
    return this.#feedback(`r!${day}!`, limit);
  }

  async eraseProfile(profileId: string): Promise<ErasureResult> {
    let ratings = 0;
    const titles = await this.#db.keys({ gt: `p!${profileId}!`, lt: `p!${profileId}!~` }).all();
    for (const key of titles) {
      const contentId = key.slice(key.lastIndexOf("!") + 1);
      await this.#titles.run(contentId, async () => {
        const row = await this.#json<TitleRow>(`t!${contentId}!${profileId}`);
        const batch = this.#db.batch().del(key);
        if (row !== undefined) {
          if (row.v !== 0) ratings++;
          batch.del(`t!${contentId}!${profileId}`);
          batch.put(
            `a!${contentId}`,
            JSON.stringify(applyChange(await this.contentRatings(contentId), row.v, 0)),
          );
          batch.del(`l!${profileId}!${descTime(row.t)}!${descId(contentId)}`);
        }
        await batch.write();
      });
    }
    const feedback = await this.listFeedback(profileId);
    const batch = this.#db.batch();
    for (const f of feedback) {
      const order = `${descTime(f.createTime.getTime())}!${f.feedbackId}`;
      batch.del(`f!${profileId}!${order}`);
      batch.del(`r!${reviewDay(f.createTime)}!${order}`);
    }
    await batch.write();
    return { ratings, feedback: feedback.length };
  }

  async close(): Promise<void> {
    await this.#titles.idle();
    await this.#db.close();
  }
}
