import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { type Content, ContentSchema } from "@marquee/sdk/marquee/content/v1/content_pb";
import { withPlayable } from "./domain/playable.js";
import { releaseYear } from "./domain/visibility.js";

/** What the search index holds for one title. */
export interface SearchDoc {
  id: string;
  title: string;
  cast: string;
  synopsis: string;
  genreIds: string[];
  year: number;
  maturity: number;
  popularity: number;
  /** The title's update time in ms: newer writes win. */
  version: number;
  /** The title without seasons, protobuf in base64: results need no store read. */
  payload: string;
}

export interface SearchQuery {
  text: string;
  /** Any of these genres; empty for all. */
  genreIds: string[];
  /** Inclusive year bounds; 0 for none. */
  yearFrom: number;
  yearTo: number;
  /** Highest maturity rating returned (Infinity: no cap). */
  maxMaturity: number;
  offset: number;
  limit: number;
}

export interface SearchHit {
  content: Content;
  score: number;
}

export interface SearchResults {
  hits: SearchHit[];
  /** Matching titles in all (an estimate past 10,000). */
  total: number;
}

/**
 * The search port: full text over title, cast and synopsis, tolerant of typos,
 * prefixes and accents, ranked by relevance times ln(2 + popularity), with
 * filters. Fed from content events; rebuildable from the store. Adapters:
 * OpenSearch (search-opensearch.ts) and MiniSearch (search-embedded.ts).
 */
export interface SearchIndex {
  /**
   * Indexes the title at its version (update time in ms); a write no newer
   * than the version indexed is ignored, so writes racing across consumers
   * cannot put an older state back.
   */
  upsert(content: Content): Promise<void>;
  /** Removes the title; with a version, only if what is indexed is older. */
  remove(contentId: string, version?: number): Promise<void>;
  search(q: SearchQuery): Promise<SearchResults>;
  /** Builds a complete new index from these titles and puts it in service in one step. */
  rebuild(contents: AsyncIterable<Content>): Promise<number>;
  /** Number of titles indexed. */
  count(): Promise<number>;
  /** True when the index was built to an older layout and must be rebuilt before use. */
  isStale(): boolean;
  /** Makes recent writes visible to search (tests and seeding; near-real-time otherwise). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

/** The relevance–popularity blend both adapters apply: relevance × ln(2 + popularity). */
export function popularityBoost(popularity: number): number {
  return Math.log(2 + Math.max(0, popularity));
}

export function toSearchDoc(content: Content): SearchDoc {
  const light = withPlayable(content, { seasons: false });
  return {
    id: content.contentId,
    title: content.title,
    cast: content.cast.map((c) => c.name).join(", "),
    synopsis: content.synopsis,
    genreIds: [...content.genreIds],
    year: releaseYear(content),
    maturity: content.maturityRating,
    popularity: content.popularity,
    version: versionOf(content),
    payload: Buffer.from(toBinary(ContentSchema, light)).toString("base64"),
  };
}

/** The version of a title in the index: its update time in ms. */
export function versionOf(content: Content): number {
  return content.updateTime ? Number(timestampMs(content.updateTime)) : 0;
}

export function fromPayload(payload: string): Content {
  return fromBinary(ContentSchema, Buffer.from(payload, "base64"));
}

/** Whether a document passes the query's filters (the embedded adapter's filter; OpenSearch uses the same rules). */
export function passesFilters(
  doc: Pick<SearchDoc, "genreIds" | "year" | "maturity">,
  q: SearchQuery,
): boolean {
  if (q.genreIds.length > 0 && !doc.genreIds.some((g) => q.genreIds.includes(g))) return false;
  if (q.yearFrom > 0 && doc.year < q.yearFrom) return false;
  if (q.yearTo > 0 && doc.year > q.yearTo) return false;
  return doc.maturity <= q.maxMaturity;
}
