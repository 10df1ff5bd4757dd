// `@marquee/kit/opensearch`: loads the OpenSearch client; only search adapters import it.
export {
  aliasTargets,
  createNextGeneration,
  createSearchClient,
  ensureAliasedIndex,
  putIndexTemplate,
  type SearchClient,
  swapAlias,
} from "./search-client.js";
