import type { Mesh } from "../mesh/mesh.js";
import { signalNode, streamLeader, upCluster } from "./cluster-nodes.js";

/** One fault: inject, hold for a while, then recover (the load keeps running throughout). */
export interface Fault {
  name: string;
  inject(): Promise<string>;
  recover(): Promise<void>;
}

const NATS_HOSTS = ["127.0.0.11", "127.0.0.12", "127.0.0.13"];
const meshProcess = (mesh: Mesh, name: string) => {
  const p = mesh.processes.get(name);
  if (p === undefined) throw new Error(`no mesh process ${name}`);
  return p;
};

/** The sequence, one after another with recovery in between. */
export function faults(mesh: Mesh): Fault[] {
  let natsLeader = "";
  return [
    {
      name: "kill -9 cassandra-2, restart",
      inject: async () => `pid ${signalNode("cassandra-2", "SIGKILL")}`,
      recover: upCluster,
    },
    {
      name: "kill -9 NATS leader of PLAYBACK, restart",
      inject: async () => {
        natsLeader = await streamLeader("PLAYBACK", NATS_HOSTS);
        return `${natsLeader} pid ${signalNode(natsLeader, "SIGKILL")}`;
      },
      recover: upCluster,
    },
    {
      name: "SIGSTOP cassandra-3 (slow, not dead), SIGCONT",
      inject: async () => `pid ${signalNode("cassandra-3", "SIGSTOP")}`,
      recover: async () => {
        signalNode("cassandra-3", "SIGCONT");
        await upCluster();
      },
    },
    {
      name: "kill -9 streaming-1 and streaming-consumers-1, restart",
      inject: async () => {
        const s = meshProcess(mesh, "streaming-1");
        const c = meshProcess(mesh, "streaming-consumers-1");
        const pids = `pids ${s.pid} ${c.pid}`;
        await Promise.all([s.kill(), c.kill()]);
        return pids;
      },
      recover: async () => {
        await Promise.all([
          meshProcess(mesh, "streaming-1").start(),
          meshProcess(mesh, "streaming-consumers-1").start(),
        ]);
      },
    },
    {
      name: "kill -9 opensearch-2, restart",
      inject: async () => `pid ${signalNode("opensearch-2", "SIGKILL")}`,
      recover: upCluster,
    },
  ];
}
