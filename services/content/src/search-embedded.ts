import type { Content } from "@marquee/sdk/marquee/content/v1/content_pb";
import MiniSearch from "minisearch";
import { foldText } from "./domain/sort-keys.js";
import {
  fromPayload,
  passesFilters,
  popularityBoost,
  type SearchDoc,
  type SearchIndex,
  type SearchQuery,
  type SearchResults,
  toSearchDoc,
} from "./search.js";
import { withoutTail } from "./search-tail.js";

/**
 * Edit distance allowed for a term, as OpenSearch's fuzziness AUTO:5,8: none
 * under 5 letters (a short word one edit away is another word: "leon", "lion"), 1 up to 7, then 2.
 */
function autoFuzziness(term: string): number {
  if (term.length < 5) return 0;
  return term.length < 8 ? 1 : 2;
}

function newIndex(): MiniSearch<SearchDoc> {
  return new MiniSearch<SearchDoc>({
    fields: ["title", "cast", "synopsis"],
    storeFields: ["genreIds", "year", "maturity", "popularity", "version", "payload"],
    processTerm: (term) => foldText(term) || null,
    searchOptions: {
      boost: { title: 3, cast: 2, synopsis: 1 },
      prefix: (term) => term.length >= 1,
      fuzzy: (term) => autoFuzziness(term) || false,
      maxFuzzy: 2,
      combineWith: "OR",
      boostDocument: (_id, _term, stored) => popularityBoost(Number(stored?.popularity ?? 0)),
    },
  });
}

/**
 * Search for embedded mode: MiniSearch in memory, rebuilt from the store at
 * start and kept current by the same content events as OpenSearch. Same
 * fields, boosts, typo rule (AUTO), prefixes, folding and popularity blend.
 */
export class EmbeddedSearchIndex implements SearchIndex {
  #index = newIndex();

  /** Versions of removed titles, so an older upsert arriving late is refused (as OpenSearch's tombstones do). */
  readonly #removed = new Map<string, number>();

  #indexedVersion(id: string): number {
    const stored = this.#index.getStoredFields(id);
    return stored === undefined ? (this.#removed.get(id) ?? -1) : Number(stored.version);
  }

  async upsert(content: Content): Promise<void> {
    const doc = toSearchDoc(content);
    if (doc.version <= this.#indexedVersion(doc.id)) return;
    this.#removed.delete(doc.id);
    if (this.#index.has(doc.id)) this.#index.replace(doc);
    else this.#index.add(doc);
  }

  async remove(contentId: string, version?: number): Promise<void> {
    if (version !== undefined && version <= this.#indexedVersion(contentId)) return;
    if (this.#index.has(contentId)) this.#index.discard(contentId);
    if (version !== undefined) this.#removed.set(contentId, version);
  }

  async search(q: SearchQuery): Promise<SearchResults> {
    const results = this.#index.search(q.text, {
      filter: (r) => passesFilters(r as unknown as SearchDoc, q),
    });
    // Ties broken by id, as in OpenSearch, so pages are stable.
    results.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const relevant = withoutTail(results, results[0]?.score ?? 0);
    return {
      total: relevant.length,
      hits: relevant.slice(q.offset, q.offset + q.limit).map((r) => ({
        content: fromPayload(r.payload as string),
        score: r.score,
      })),
    };
  }

  async rebuild(contents: AsyncIterable<Content>): Promise<number> {
    const next = newIndex();
    const docs: SearchDoc[] = [];
    for await (const c of contents) docs.push(toSearchDoc(c));
    next.addAll(docs);
    this.#removed.clear();
    this.#index = next; // the swap: searches see the old index until this line, then the new one
    return docs.length;
  }

  async count(): Promise<number> {
    return this.#index.documentCount;
  }

  async refresh(): Promise<void> {}

  isStale(): boolean {
    return false;
  }

  async close(): Promise<void> {}
}
