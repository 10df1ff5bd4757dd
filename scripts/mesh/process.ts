import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { fileURLToPath } from "node:url";

const root = new URL("../../", import.meta.url);

/** One process of the mesh: a service, a streaming replica, a consumers process or the gateway. */
export interface ProcessSpec {
  name: string;
  /** Entry file, from the repository root. */
  entry: string;
  port: number;
  env: Record<string, string>;
}

/**
 * A mesh process that can be started, killed (any signal, as chaos does) and
 * started again, logging to its own file (appended across restarts).
 */
export class MeshProcess {
  #child: ChildProcess | undefined;
  #log: WriteStream;
  #exited: Promise<unknown> = Promise.resolve();

  constructor(
    readonly spec: ProcessSpec,
    readonly logFile: string,
  ) {
    this.#log = createWriteStream(logFile, { flags: "a" });
  }

  get pid(): number | undefined {
    return this.#child?.exitCode === null && this.#child.signalCode === null ? this.#child.pid : undefined;
  }

  get url(): string {
    return `http://127.0.0.1:${this.spec.port}`;
  }

  /** Starts it and resolves once its health check answers SERVING (or fails if it exits first). */
  async start(timeoutMs = 120_000): Promise<void> {
    if (this.pid !== undefined) return;
    this.#log.write(`\n===== ${new Date().toISOString()} starting ${this.spec.name}\n`);
    const child = spawn(
      process.execPath,
      ["--conditions=marquee-source", "--import=tsx", fileURLToPath(new URL(this.spec.entry, root))],
      { env: { ...process.env, ...this.spec.env }, stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout?.pipe(this.#log, { end: false });
    child.stderr?.pipe(this.#log, { end: false });
    this.#child = child;
    this.#exited = once(child, "exit");
    const deadline = Date.now() + timeoutMs;
    while (!(await this.healthy())) {
      if (this.pid === undefined)
        throw new Error(`${this.spec.name} exited during start (see ${this.logFile})`);
      if (Date.now() > deadline)
        throw new Error(`${this.spec.name} not serving after ${timeoutMs} ms (see ${this.logFile})`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** grpc.health.v1.Health/Check over Connect JSON, as the compose health checks ask it. */
  async healthy(): Promise<boolean> {
    try {
      const res = await fetch(`${this.url}/grpc.health.v1.Health/Check`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
        signal: AbortSignal.timeout(2_000),
      });
      return ((await res.json()) as { status?: string }).status === "SERVING";
    } catch {
      return false;
    }
  }

  signal(sig: NodeJS.Signals): void {
    this.#child?.kill(sig);
  }

  /** SIGKILL, and resolves once it is gone. */
  async kill(): Promise<void> {
    if (this.pid === undefined) return;
    this.signal("SIGKILL");
    await this.#exited;
  }

  /** SIGTERM (the process drains), SIGKILL after the grace period. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.pid === undefined) return;
    this.signal("SIGTERM");
    const timer = setTimeout(() => this.signal("SIGKILL"), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    await this.stop();
    await new Promise<void>((resolve) => this.#log.end(resolve));
  }
}
