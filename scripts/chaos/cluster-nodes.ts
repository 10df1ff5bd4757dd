import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const clusterDir = () =>
  path.join(
    process.env.MARQUEE_BACKENDS_DATA_DIR ?? path.join(homedir(), ".local/share/marquee-backends"),
    "cluster",
  );
const backendsScript = new URL("../backends/backends.sh", import.meta.url).pathname;

/** The pid of a cluster node, from the pid file `up --cluster` keeps (cassandra-2, nats-1, opensearch-2...). */
export function nodePid(node: string): number {
  const file: Record<string, string> = {
    cassandra: "cassandra.pid",
    nats: "nats-server.pid",
    opensearch: "opensearch.pid",
  };
  const kind = node.replace(/-\d$/, "");
  const pid = Number(readFileSync(path.join(clusterDir(), node, file[kind] as string), "utf8").trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no pid for ${node}`);
  return pid;
}

export function signalNode(node: string, sig: NodeJS.Signals): number {
  const pid = nodePid(node);
  process.kill(pid, sig);
  return pid;
}

/** `npm run backends -- up --cluster`: starts whichever nodes are down and waits until the cluster is whole. */
export async function upCluster(): Promise<void> {
  await run("bash", [backendsScript, "up", "--cluster"], { maxBuffer: 16 << 20 });
}

/** The NATS server leading a stream's Raft group, as the monitoring endpoint reports it ("nats-2"). */
export async function streamLeader(stream: string, hosts: string[]): Promise<string> {
  for (const host of hosts) {
    try {
      const res = await fetch(`http://${host}:8222/jsz?streams=true`, { signal: AbortSignal.timeout(3_000) });
      const jsz = (await res.json()) as {
        account_details?: { stream_detail?: { name: string; cluster?: { leader?: string } }[] }[];
      };
      for (const account of jsz.account_details ?? []) {
        for (const s of account.stream_detail ?? []) {
          if (s.name === stream && s.cluster?.leader) return s.cluster.leader;
        }
      }
    } catch {
      // that node is down or has no view: ask the next one
    }
  }
  throw new Error(`no leader found for stream ${stream}`);
}
