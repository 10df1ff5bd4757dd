/** What operator scripts (npm run seed, benches) use beside the service itself. */
export { openContentBackends } from "./backends.js";
export { generateCatalog } from "./catalog/generate.js";
export { seedCatalog } from "./catalog/seed.js";
export { loadContentConfig } from "./config.js";
export { toSearchDoc } from "./search.js";
export { rebuildSearchIndex } from "./search-indexer.js";
export { searchBody } from "./search-opensearch.js";
