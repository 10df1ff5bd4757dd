import {
  createNextGeneration,
  ensureAliasedIndex,
  putIndexTemplate,
  type SearchClient,
  swapAlias,
} from "@marquee/kit/opensearch";
import type { Content } from "@marquee/sdk/marquee/content/v1/content_pb";
import {
  fromPayload,
  type SearchDoc,
  type SearchIndex,
  type SearchQuery,
  type SearchResults,
  toSearchDoc,
} from "./search.js";
import { withoutTail } from "./search-tail.js";

export const DEFAULT_SEARCH_ALIAS = "marquee-content";

const statusOf = (err: unknown) => (err as { meta?: { statusCode?: number } }).meta?.statusCode;

/**
 * Settings and mappings of every generation of the index (analysis-common
 * provides asciifolding and edge_ngram). Titles and cast get a second,
 * edge-n-gram field for as-you-type prefixes; the search side of it is not
 * n-grammed, so "star w" looks for words starting "star" and "w".
 */
function indexTemplate(replicas: number): Record<string, unknown> {
  const folded = { type: "text", analyzer: "folded" };
  const withPrefix = {
    ...folded,
    fields: { prefix: { type: "text", analyzer: "prefix_index", search_analyzer: "folded" } },
  };
  return {
    settings: {
      number_of_shards: 1,
      number_of_replicas: replicas,
      refresh_interval: "1s",
      analysis: {
        filter: { prefix_edge: { type: "edge_ngram", min_gram: 1, max_gram: 20 } },
        analyzer: {
          folded: { type: "custom", tokenizer: "standard", filter: ["lowercase", "asciifolding"] },
          prefix_index: {
            type: "custom",
            tokenizer: "standard",
            filter: ["lowercase", "asciifolding", "prefix_edge"],
          },
        },
      },
    },
    mappings: {
      dynamic: "strict",
      properties: {
        id: { type: "keyword" },
        title: withPrefix,
        cast: withPrefix,
        synopsis: folded,
        genreIds: { type: "keyword" },
        year: { type: "integer" },
        maturity: { type: "integer" },
        popularity: { type: "float" },
        version: { type: "long", index: false },
        payload: { type: "binary" },
      },
    },
  };
}

/**
 * The query: the words matched against title (×3), cast and crew (×2) and synopsis
 * with fuzziness AUTO:5,8, or as prefixes of title and cast words; filters as
 * filter clauses (no scoring); the relevance multiplied by ln(2 + popularity)
 * through field_value_factor (no scripts needed).
 */
export function searchBody(q: SearchQuery): Record<string, unknown> {
  const filter: unknown[] = [];
  if (q.genreIds.length > 0) filter.push({ terms: { genreIds: q.genreIds } });
  if (q.yearFrom > 0 || q.yearTo > 0) {
    filter.push({
      range: {
        year: { ...(q.yearFrom > 0 ? { gte: q.yearFrom } : {}), ...(q.yearTo > 0 ? { lte: q.yearTo } : {}) },
      },
    });
  }
  if (Number.isFinite(q.maxMaturity)) filter.push({ range: { maturity: { lte: q.maxMaturity } } });
  return {
    from: q.offset,
    size: q.limit,
    track_total_hits: true,
    // The best score of all matches (max_score), for the tail cut (search-tail.ts); sorting by id too hides it otherwise.
    track_scores: true,
    _source: ["payload"],
    query: {
      function_score: {
        query: {
          bool: {
            should: [
              {
                multi_match: {
                  query: q.text,
                  fields: ["title^3", "cast^2", "synopsis"],
                  type: "most_fields",
                  // No typo allowance under 5 letters: "leon" one edit from "lion" is another word.
                  fuzziness: "AUTO:5,8",
                  prefix_length: 1,
                },
              },
              {
                multi_match: {
                  query: q.text,
                  fields: ["title.prefix^1.5", "cast.prefix"],
                  type: "most_fields",
                  operator: "and",
                },
              },
              { match_phrase: { title: { query: q.text, boost: 3 } } },
            ],
            minimum_should_match: 1,
            filter,
          },
        },
        field_value_factor: { field: "popularity", modifier: "ln2p", missing: 0 },
        boost_mode: "multiply",
      },
    },
    sort: [{ _score: "desc" }, { id: "asc" }],
  };
}

/** Search on OpenSearch: index generations behind an alias, rebuilt by alias swap. */
export class OpenSearchIndex implements SearchIndex {
  readonly #client: SearchClient;
  readonly #alias: string;

  readonly #stale: boolean;

  private constructor(client: SearchClient, alias: string, stale: boolean) {
    this.#client = client;
    this.#alias = alias;
    this.#stale = stale;
  }

  /**
   * Declares the template and makes sure the alias points at an index. An
   * index made by an older template gets the fields added since; if its
   * mapping cannot take them it is reported stale (see isStale).
   */
  static async open(
    client: SearchClient,
    opts: { alias?: string; replicas?: number } = {},
  ): Promise<OpenSearchIndex> {
    const alias = opts.alias ?? DEFAULT_SEARCH_ALIAS;
    await putIndexTemplate(client, alias, indexTemplate(opts.replicas ?? 0));
    await ensureAliasedIndex(client, alias);
    const template = indexTemplate(opts.replicas ?? 0) as {
      mappings: { properties: Record<string, unknown> };
    };
    let stale = false;
    try {
      await client.indices.putMapping({
        index: alias,
        body: { properties: template.mappings.properties } as never,
      });
    } catch {
      stale = true;
    }
    return new OpenSearchIndex(client, alias, stale);
  }

  isStale(): boolean {
    return this.#stale;
  }

  get alias(): string {
    return this.#alias;
  }

  async upsert(content: Content): Promise<void> {
    const doc = toSearchDoc(content);
    try {
      // External versioning: OpenSearch refuses a version not above the one it holds.
      await this.#client.index({
        index: this.#alias,
        id: doc.id,
        version: doc.version,
        version_type: "external",
        body: doc as unknown as Record<string, unknown>,
      });
    } catch (err) {
      if (statusOf(err) !== 409) throw err;
    }
  }

  async remove(contentId: string, version?: number): Promise<void> {
    try {
      await this.#client.delete({
        index: this.#alias,
        id: contentId,
        ...(version === undefined ? {} : { version, version_type: "external" as const }),
      });
    } catch (err) {
      const status = statusOf(err);
      if (status !== 404 && status !== 409) throw err;
    }
  }

  async search(q: SearchQuery): Promise<SearchResults> {
    const res = await this.#client.search({ index: this.#alias, body: searchBody(q) as never });
    const body = res.body as unknown as {
      hits: {
        total: { value: number };
        max_score: number | null;
        hits: Array<{ _score: number | null; sort?: unknown[]; _source: { payload: string } }>;
      };
    };
    const scored = body.hits.hits.map((h) => ({
      payload: h._source.payload,
      score: h._score ?? Number(h.sort?.[0] ?? 0),
    }));
    const kept = withoutTail(scored, body.hits.max_score ?? 0);
    return {
      // A page cut short by the tail is the last one: what is left of it is all there is.
      total: kept.length < scored.length ? q.offset + kept.length : body.hits.total.value,
      hits: kept.map((h) => ({ content: fromPayload(h.payload), score: h.score })),
    };
  }

  async rebuild(contents: AsyncIterable<Content>): Promise<number> {
    const next = await createNextGeneration(this.#client, this.#alias);
    let count = 0;
    try {
      let batch: SearchDoc[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        const body = batch.flatMap((doc) => [
          { index: { _index: next, _id: doc.id, version: doc.version, version_type: "external" } },
          doc,
        ]);
        const res = await this.#client.bulk({ body: body as never });
        if ((res.body as { errors: boolean }).errors) throw new Error(`bulk indexing into ${next} failed`);
        count += batch.length;
        batch = [];
      };
      for await (const c of contents) {
        batch.push(toSearchDoc(c));
        if (batch.length >= 500) await flush();
      }
      await flush();
      await swapAlias(this.#client, this.#alias, next);
    } catch (err) {
      // The alias still serves the previous generation; drop the half-built one.
      await this.#client.indices.delete({ index: next }).catch(() => {});
      throw err;
    }
    return count;
  }

  async count(): Promise<number> {
    const res = await this.#client.count({ index: this.#alias });
    return (res.body as { count: number }).count;
  }

  async refresh(): Promise<void> {
    await this.#client.indices.refresh({ index: this.#alias });
  }

  async close(): Promise<void> {}
}
