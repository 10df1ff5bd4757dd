import test from "ava";
import { CassandraStreamingStore } from "../../src/store-cassandra.js";
import { historyStoreContract } from "../history-store-contract.js";
import { jobStoreContract } from "../job-store-contract.js";
import { sessionStoreContract } from "../session-store-contract.js";
import { freshKeyspace } from "./keyspace.js";

const drops: Array<() => Promise<void>> = [];
let shared: Awaited<ReturnType<typeof freshKeyspace>> | undefined;
test.before(async () => {
  shared = await freshKeyspace();
  drops.push(shared.drop);
});
test.after.always(async () => {
  for (const drop of drops) await drop();
});

// One keyspace per run; every test uses its own random ids, and the store does not own the session.
const open = async () => new CassandraStreamingStore((shared as NonNullable<typeof shared>).client, false);
historyStoreContract(test, open);
sessionStoreContract(test, open);
jobStoreContract(test, open);
