import type { View } from "./domain/trending.js";

/**
 * The trending port: the latest view of each (title, profile) per scope
 * ("world" or an ISO country code) over the last 24 hours. One row per
 * distinct viewer makes the count distinct; keeping only the latest time
 * makes a replayed or reordered heartbeat harmless.
 */
export interface TrendingStore {
  /** Records a view; an older time than the one stored changes nothing. */
  recordView(scope: string, contentId: string, profileId: string, at: Date): Promise<void>;
  /** Each (title, profile) of the scope seen at or after `since`, with its latest time. */
  viewsSince(scope: string, since: Date): Promise<View[]>;
  close(): Promise<void>;
}
