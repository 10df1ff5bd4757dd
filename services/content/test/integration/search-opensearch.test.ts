import { randomBytes } from "node:crypto";
import { loadBackendsConfig } from "@marquee/kit";
import { createSearchClient } from "@marquee/kit/opensearch";
import test from "ava";
import { OpenSearchIndex } from "../../src/search-opensearch.js";
import { relevanceSuite } from "../relevance-suite.js";
import { searchIndexContract } from "../search-contract.js";

const client = createSearchClient(loadBackendsConfig().opensearch);
const aliases: string[] = [];

/** A fresh alias per index, removed with its generations and template after the run. */
async function freshIndex(): Promise<OpenSearchIndex> {
  const alias = `test-content-${randomBytes(4).toString("hex")}`;
  aliases.push(alias);
  return OpenSearchIndex.open(client, { alias });
}

async function drop(alias: string): Promise<void> {
  await client.indices.delete({ index: `${alias}-*` }).catch(() => {});
  await client.indices.deleteIndexTemplate({ name: `${alias}-template` }).catch(() => {});
}

test.after.always(async () => {
  for (const alias of aliases) await drop(alias);
});

relevanceSuite(test, freshIndex);
searchIndexContract(test, async () => {
  const index = await freshIndex();
  return { index, cleanup: () => drop(index.alias) };
});
