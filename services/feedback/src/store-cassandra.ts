import type { BackendsConfig, Logger } from "@marquee/kit";
import { openCassandra } from "@marquee/kit/cassandra";
import { type Client, types } from "cassandra-driver";
import { migrations } from "./migrations.js";
import {
  applyChange,
  isRatingValue,
  nextUpdateTime,
  type RatingCounts,
  type RatingValue,
  shardOf,
  TITLE_SHARDS,
  ZERO_COUNTS,
} from "./ratings.js";
import {
  type ErasureResult,
  type FeedbackEntry,
  type FeedbackStore,
  type RatingChange,
  RatingContentionError,
  type RatingCursor,
  type RatingsPage,
  reviewDay,
  type StoredRating,
} from "./store.js";

/** profile_id of the row holding a title shard's counts (see migrations.ts). */
const AGGREGATE = "";
/** Compare-and-set attempts before a change gives up with RatingContentionError. */
const MAX_ATTEMPTS = 40;
const SHARDS = Array.from({ length: TITLE_SHARDS }, (_, i) => i);

const { consistencies, Long } = types;
const quorum = { prepare: true, consistency: consistencies.localQuorum };
const serial = { prepare: true, consistency: consistencies.localSerial };

export interface CassandraFeedbackStoreOptions {
  config: BackendsConfig["cassandra"];
  /** Default "marquee_feedback"; tests pass a fresh one. */
  keyspace?: string;
  log: Logger;
}

/** Opens (and migrates) keyspace marquee_feedback and serves the store from it. */
export async function openCassandraFeedbackStore(
  opts: CassandraFeedbackStoreOptions,
): Promise<FeedbackStore> {
  const client = await openCassandra({
    config: opts.config,
    keyspace: opts.keyspace ?? "marquee_feedback",
    migrations,
    log: opts.log,
  });
  return new CassandraFeedbackStore(client);
}

interface TitleRow {
  value: RatingValue;
  previousValue: RatingValue;
  seq: number;
  updateTime: Date;
  previousUpdateTime: Date | undefined;
}

interface ShardState {
  row: TitleRow | undefined;
  counts: RatingCounts;
  /** The aggregate row's version; null before the shard's first rating. */
  version: types.Long | null;
}

/** A rating version with the stored row it came from. */
interface Versioned {
  row: TitleRow;
  change: RatingChange;
}

/** What a change decides after reading the shard: nothing to write, or the rating row's next state. */
type Plan<R> = { done: R } | { next: TitleRow | null; result: R };

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const value = (v: unknown): RatingValue => {
  const n = num(v);
  if (!isRatingValue(n)) throw new Error(`stored rating value ${n} is not a rating`);
  return n;
};

class CassandraFeedbackStore implements FeedbackStore {
  readonly #client: Client;

  constructor(client: Client) {
    this.#client = client;
  }

  /**
   * The rating row and its shard's aggregate row, in one single-partition
   * query so both come from the same version. A retry reads at LOCAL_SERIAL,
   * which first finishes any compare-and-set in flight.
   */
  async #read(
    contentId: string,
    shard: number,
    profileId: string,
    linearizable: boolean,
  ): Promise<ShardState> {
    const rs = await this.#client.execute(
      `SELECT profile_id, value, previous_value, seq, update_time, previous_update_time,
              thumbs_down, thumbs_up, double_thumbs_up, version
         FROM ratings_by_title WHERE content_id = ? AND shard = ? AND profile_id IN ?`,
      [contentId, shard, [AGGREGATE, profileId]],
      linearizable ? serial : quorum,
    );
    const state: ShardState = { row: undefined, counts: { ...ZERO_COUNTS }, version: null };
    for (const r of rs.rows) {
      if (r.profile_id === AGGREGATE) {
        state.counts = {
          thumbsDown: num(r.thumbs_down),
          thumbsUp: num(r.thumbs_up),
          doubleThumbsUp: num(r.double_thumbs_up),
        };
        state.version = r.version as types.Long | null;
      } else {
        state.row = {
          value: value(r.value),
          previousValue: value(r.previous_value),
          seq: num(r.seq),
          updateTime: r.update_time as Date,
          previousUpdateTime: (r.previous_update_time as Date | null) ?? undefined,
        };
      }
    }
    return state;
  }

  /**
   * The one way ratings_by_title changes: read the shard, let `decide` plan,
   * then write the rating row and the moved counts in one conditional batch
   * that applies only if the aggregate's version is unchanged. A lost race
   * re-reads and decides again, so every applied change saw exactly the
   * previous value it replaces.
   */
  async #change<R>(
    contentId: string,
    profileId: string,
    decide: (state: ShardState) => Plan<R>,
    /** Must be durable before anything is written; it runs alongside the first read. */
    beforeWrite?: Promise<unknown>,
  ): Promise<R> {
    const shard = shardOf(profileId);
    // Handled here so a failed read cannot leave it rejected unobserved; awaited below all the same.
    beforeWrite?.catch(() => {});
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const state = await this.#read(contentId, shard, profileId, attempt > 0);
      const plan = decide(state);
      if ("done" in plan) {
        await beforeWrite;
        return plan.done;
      }
      await beforeWrite;
      const counts = applyChange(state.counts, state.row?.value ?? 0, plan.next?.value ?? 0);
      const version = state.version === null ? Long.ONE : state.version.add(1);
      const key = [contentId, shard, profileId];
      const rowWrite =
        plan.next === null
          ? {
              query: "DELETE FROM ratings_by_title WHERE content_id = ? AND shard = ? AND profile_id = ?",
              params: key,
            }
          : {
              query: `UPDATE ratings_by_title SET value = ?, previous_value = ?, seq = ?, update_time = ?, previous_update_time = ?
                       WHERE content_id = ? AND shard = ? AND profile_id = ?`,
              params: [
                plan.next.value,
                plan.next.previousValue,
                plan.next.seq,
                plan.next.updateTime,
                plan.next.previousUpdateTime ?? null,
                ...key,
              ],
            };
      const rs = await this.#client.batch(
        [
          {
            query: `UPDATE ratings_by_title SET thumbs_down = ?, thumbs_up = ?, double_thumbs_up = ?, version = ?
                     WHERE content_id = ? AND shard = ? AND profile_id = ? IF version = ?`,
            params: [
              Long.fromNumber(counts.thumbsDown),
              Long.fromNumber(counts.thumbsUp),
              Long.fromNumber(counts.doubleThumbsUp),
              version,
              contentId,
              shard,
              AGGREGATE,
              state.version,
            ],
          },
          rowWrite,
        ],
        { ...quorum, serialConsistency: consistencies.localSerial },
      );
      if (rs.wasApplied()) return plan.result;
      // Lost to a concurrent change of this shard: back off a little, at random, and try again.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 50)));
    }
    throw new RatingContentionError(
      `the ratings of title ${contentId} are changing too fast right now; try again`,
    );
  }

  async setRating(profileId: string, contentId: string, next: RatingValue, now: Date) {
    // Recorded before the change, so erasure finds this title even if we stop right after it.
    const marker =
      next === 0
        ? undefined
        : this.#client.execute(
            "INSERT INTO ratings_by_profile (profile_id, content_id) VALUES (?, ?)",
            [profileId, contentId],
            quorum,
          );
    const outcome = await this.#change<Versioned | undefined>(
      contentId,
      profileId,
      ({ row }) => {
        if (row === undefined && next === 0) return { done: undefined };
        if (row !== undefined && row.value === next) {
          return { done: { row, change: { profileId, contentId, ...row, changed: false } } };
        }
        const nextRow: TitleRow = {
          value: next,
          previousValue: row?.value ?? 0,
          seq: (row?.seq ?? 0) + 1,
          updateTime: nextUpdateTime(now, row?.updateTime),
          previousUpdateTime: row?.updateTime,
        };
        return {
          next: nextRow,
          result: { row: nextRow, change: { profileId, contentId, ...nextRow, changed: true } },
        };
      },
      marker,
    );
    if (outcome === undefined) return undefined;
    // Also on a repeated call: it completes projections a failed earlier call may have left undone.
    await this.#project(outcome.change, outcome.row.previousUpdateTime);
    return outcome.change;
  }

  /**
   * Writes a rating version into the by-profile tables, stamped with its
   * update time: later versions always win, whatever order writes land in.
   */
  async #project(change: RatingChange, previousTime: Date | undefined): Promise<void> {
    const stamp = Long.fromNumber(change.updateTime.getTime() * 1000);
    const writes: Promise<unknown>[] = [
      this.#client.execute(
        "UPDATE ratings_by_profile USING TIMESTAMP ? SET value = ?, update_time = ? WHERE profile_id = ? AND content_id = ?",
        [stamp, change.value, change.updateTime, change.profileId, change.contentId],
        quorum,
      ),
    ];
    if (change.previousValue !== 0 && previousTime !== undefined) {
      writes.push(
        this.#client.execute(
          "DELETE FROM ratings_by_profile_time USING TIMESTAMP ? WHERE profile_id = ? AND update_time = ? AND content_id = ?",
          [stamp, change.profileId, previousTime, change.contentId],
          quorum,
        ),
      );
    }
    if (change.value !== 0) {
      writes.push(
        this.#client.execute(
          "INSERT INTO ratings_by_profile_time (profile_id, update_time, content_id, value) VALUES (?, ?, ?, ?) USING TIMESTAMP ?",
          [change.profileId, change.updateTime, change.contentId, change.value, stamp],
          quorum,
        ),
      );
    }
    await Promise.all(writes);
  }

  async getRating(profileId: string, contentId: string): Promise<StoredRating | undefined> {
    const { row } = await this.#read(contentId, shardOf(profileId), profileId, false);
    if (row === undefined || row.value === 0) return undefined;
    return { profileId, contentId, value: row.value, updateTime: row.updateTime };
  }

  async contentRatings(contentId: string): Promise<RatingCounts> {
    const rs = await this.#client.execute(
      `SELECT thumbs_down, thumbs_up, double_thumbs_up FROM ratings_by_title
        WHERE content_id = ? AND shard IN ? AND profile_id = ?`,
      [contentId, SHARDS, AGGREGATE],
      quorum,
    );
    const counts = { ...ZERO_COUNTS };
    for (const r of rs.rows) {
      counts.thumbsDown += num(r.thumbs_down);
      counts.thumbsUp += num(r.thumbs_up);
      counts.doubleThumbsUp += num(r.double_thumbs_up);
    }
    return counts;
  }

  async recountContentRatings(contentId: string): Promise<RatingCounts> {
    let counts: RatingCounts = { ...ZERO_COUNTS };
    for (const shard of SHARDS) {
      const rs = await this.#client.execute(
        "SELECT value FROM ratings_by_title WHERE content_id = ? AND shard = ? AND profile_id > ?",
        [contentId, shard, AGGREGATE],
        { ...quorum, fetchSize: 1000 },
      );
      for await (const r of rs) counts = applyChange(counts, 0, value(r.value));
    }
    return counts;
  }

  async listRatings(profileId: string, limit: number, after?: RatingCursor): Promise<RatingsPage> {
    const rs =
      after === undefined
        ? await this.#client.execute(
            "SELECT update_time, content_id, value FROM ratings_by_profile_time WHERE profile_id = ? LIMIT ?",
            [profileId, limit + 1],
            quorum,
          )
        : await this.#client.execute(
            `SELECT update_time, content_id, value FROM ratings_by_profile_time
              WHERE profile_id = ? AND (update_time, content_id) < (?, ?) LIMIT ?`,
            [profileId, new Date(after.updateTime), after.contentId, limit + 1],
            quorum,
          );
    const ratings: StoredRating[] = rs.rows.slice(0, limit).map((r) => ({
      profileId,
      contentId: r.content_id as string,
      value: value(r.value) as StoredRating["value"],
      updateTime: r.update_time as Date,
    }));
    const last = ratings.at(-1);
    return rs.rowLength > limit && last !== undefined
      ? { ratings, next: { updateTime: last.updateTime.getTime(), contentId: last.contentId } }
      : { ratings };
  }

  async addFeedback(f: FeedbackEntry): Promise<void> {
    const content = f.contentId === "" ? null : f.contentId;
    // A logged batch: both rows or (after replay of the batch log) both rows, never one.
    await this.#client.batch(
      [
        {
          query: `INSERT INTO feedback_by_profile (profile_id, create_time, feedback_id, content_id, category, body)
                   VALUES (?, ?, ?, ?, ?, ?)`,
          params: [f.profileId, f.createTime, f.feedbackId, content, f.category, f.text],
        },
        {
          query: `INSERT INTO feedback_by_day (day, create_time, feedback_id, profile_id, content_id, category, body)
                   VALUES (?, ?, ?, ?, ?, ?, ?)`,
          params: [
            reviewDay(f.createTime),
            f.createTime,
            f.feedbackId,
            f.profileId,
            content,
            f.category,
            f.text,
          ],
        },
      ],
      quorum,
    );
  }

  #entry(r: types.Row): FeedbackEntry {
    return {
      feedbackId: r.feedback_id as string,
      profileId: r.profile_id as string,
      contentId: (r.content_id as string | null) ?? "",
      category: num(r.category),
      text: r.body as string,
      createTime: r.create_time as Date,
    };
  }

  async listFeedback(profileId: string): Promise<FeedbackEntry[]> {
    const rs = await this.#client.execute(
      "SELECT * FROM feedback_by_profile WHERE profile_id = ?",
      [profileId],
      { ...quorum, fetchSize: 1000 },
    );
    const entries: FeedbackEntry[] = [];
    for await (const r of rs) entries.push(this.#entry(r));
    return entries;
  }

  async listFeedbackForReview(day: string, limit: number): Promise<FeedbackEntry[]> {
    const rs = await this.#client.execute(
      "SELECT * FROM feedback_by_day WHERE day = ? LIMIT ?",
      [day, limit],
      quorum,
    );
    return rs.rows.map((r) => this.#entry(r));
  }

  async eraseProfile(profileId: string): Promise<ErasureResult> {
    let ratings = 0;
    const titles = await this.#client.execute(
      "SELECT content_id FROM ratings_by_profile WHERE profile_id = ?",
      [profileId],
      { ...quorum, fetchSize: 1000 },
    );
    for await (const t of titles) {
      const contentId = t.content_id as string;
      const erased = await this.#change<boolean>(contentId, profileId, ({ row }) =>
        row === undefined ? { done: false } : { next: null, result: row.value !== 0 },
      );
      if (erased) ratings++;
    }
    const feedback = await this.listFeedback(profileId);
    // Review rows first: until the by-profile partition goes, a rerun still finds them.
    await Promise.all(
      feedback.map((f) =>
        this.#client.execute(
          "DELETE FROM feedback_by_day WHERE day = ? AND create_time = ? AND feedback_id = ?",
          [reviewDay(f.createTime), f.createTime, f.feedbackId],
          quorum,
        ),
      ),
    );
    for (const table of ["ratings_by_profile_time", "feedback_by_profile", "ratings_by_profile"]) {
      await this.#client.execute(`DELETE FROM ${table} WHERE profile_id = ?`, [profileId], quorum);
    }
    return { ratings, feedback: feedback.length };
  }

  async close(): Promise<void> {
    await this.#client.shutdown();
  }
}
