import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import test from "ava";

const here = path.dirname(fileURLToPath(import.meta.url));
const DRIVERS = [
  "cassandra-driver",
  "@opensearch-project/opensearch",
  "@nats-io/transport-node",
  "@nats-io/jetstream",
  "classic-level",
  "minisearch",
];

test("the gateway loads no database, search or bus driver", async (t) => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      "--conditions=marquee-source",
      "--import=tsx",
      `--import=${path.join(here, "fixtures/record-imports.mjs")}`,
      path.join(here, "fixtures/gateway-imports.ts"),
    ],
    { timeout: 60_000 },
  );
  const { packages } = JSON.parse(stdout.trim().split("\n").at(-1) as string) as { packages: string[] };
  // The recorder works: the gateway's own dependencies show up.
  t.true(packages.includes("@connectrpc/connect-node"), packages.join(", "));
  t.deepEqual(
    packages.filter((p) => DRIVERS.includes(p)),
    [],
  );
});
