import { randomBytes } from "node:crypto";
import { loadBackendsConfig } from "@marquee/kit";
import {
  aliasTargets,
  createNextGeneration,
  createSearchClient,
  ensureAliasedIndex,
  putIndexTemplate,
  swapAlias,
} from "@marquee/kit/opensearch";
import test from "ava";

const client = createSearchClient(loadBackendsConfig().opensearch);

test("an aliased index gets the template, and a rebuild swaps the alias atomically", async (t) => {
  const alias = `test-${randomBytes(4).toString("hex")}`;
  t.teardown(async () => {
    await client.indices.delete({ index: `${alias}-*` });
    await client.indices.deleteIndexTemplate({ name: `${alias}-template` });
  });
  await putIndexTemplate(client, alias, {
    settings: {
      number_of_shards: 1,
      number_of_replicas: 0,
      analysis: {
        analyzer: {
          folded: { type: "custom", tokenizer: "standard", filter: ["lowercase", "asciifolding"] },
        },
      },
    },
    mappings: { properties: { title: { type: "text", analyzer: "folded" } } },
  });

  const [first, second] = await Promise.all([
    ensureAliasedIndex(client, alias),
    ensureAliasedIndex(client, alias),
  ]);
  t.is(first, `${alias}-000001`);
  t.is(second, first, "concurrent starts share one first generation");
  const mapping = await client.indices.getMapping({ index: first });
  t.is(mapping.body[first]?.mappings.properties?.title?.type, "text", "the template applied");

  await client.index({ index: alias, body: { title: "Amélie" }, refresh: true });
  const folded = await client.search({ index: alias, body: { query: { match: { title: "amelie" } } } });
  t.is(folded.body.hits.hits.length, 1, "asciifolding from analysis-common works");

  const next = await createNextGeneration(client, alias);
  await client.index({ index: next, body: { title: "The Godfather" } });
  await swapAlias(client, alias, next);
  t.deepEqual(await aliasTargets(client, alias), [next]);
  const all = await client.search({ index: alias, body: { query: { match_all: {} } } });
  t.deepEqual(
    all.body.hits.hits.map((h) => (h._source as { title: string }).title),
    ["The Godfather"],
  );
  t.false((await client.indices.exists({ index: first })).body, "the old generation is gone");
});
