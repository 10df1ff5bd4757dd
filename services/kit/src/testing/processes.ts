import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import net from "node:net";

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, "close");
  return port;
}

/** A process's command name and state from /proc (Linux), or undefined when there is no such process. */
function procStat(pid: number): { comm: string; state: string; ppid: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  const close = stat.lastIndexOf(")");
  const [state = "", ppid = "0"] = stat.slice(close + 2).split(" ");
  return { comm: stat.slice(stat.indexOf("(") + 1, close), state, ppid: Number(ppid) };
}

/** The pids of `parent`'s live child processes named `name` (e.g. "ffmpeg"). */
export function childProcesses(parent: number, name: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      const stat = procStat(pid);
      return stat !== undefined && stat.ppid === parent && stat.comm === name && stat.state !== "Z";
    });
}

/** Whether the process runs (a zombie, dead but not yet reaped, does not). */
export function isRunning(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== "Z";
}
