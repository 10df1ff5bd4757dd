import test from "ava";
import { EmbeddedSearchIndex } from "../src/search-embedded.js";
import { relevanceSuite } from "./relevance-suite.js";
import { searchIndexContract } from "./search-contract.js";

relevanceSuite(test, async () => new EmbeddedSearchIndex());
searchIndexContract(test, async () => ({ index: new EmbeddedSearchIndex(), cleanup: async () => {} }));
