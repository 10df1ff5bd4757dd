/**
 * What `npm start` shows a person: a short summary of what started and where,
 * the first start's demo ingest as a progress bar, then only warnings and
 * errors (the services' logs, one line each). On a terminal it draws on
 * stdout; otherwise stdout carries the JSON logs alone and these lines go to
 * stderr, one per step, with no bar.
 */
import { type Server, setTerminalWriter } from "@marquee/kit";
import type { DemoProgress } from "@marquee/streaming";
import { MultiBar, Presets } from "cli-progress";

export interface Terminal {
  /** True when drawing on a terminal (the bar, readable logs). */
  tty: boolean;
  line(text: string): void;
}

export function terminal(tty: boolean): Terminal {
  const out = tty ? process.stdout : process.stderr;
  return { tty, line: (text) => out.write(`${text}\n`) };
}

const seconds = (ms: number) =>
  ms < 60_000
    ? `${(ms / 1000).toFixed(1)} s`
    : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;

export interface Started {
  gateway: Server;
  services: Record<string, Server>;
  dataDir: string;
  partnerKey?: string;
  startedMs: number;
  /** The MARQUEE_LOG_LEVEL in force. */
  logLevel: string;
}

/** The summary printed once everything serves. */
export function printSummary(t: Terminal, s: Started): void {
  const port = (server: Server) => `:${server.port}`;
  t.line("");
  t.line(`Marquee is running at ${s.gateway.url}  (started in ${seconds(s.startedMs)}; Ctrl-C stops it)`);
  t.line("");
  t.line(
    `  services  ${Object.entries(s.services)
      .map(([name, server]) => `${name} ${port(server)}`)
      .join("  ")}  (each: gRPC, Connect, gRPC-Web)`,
  );
  if (s.gateway.adminUrl)
    t.line(`  metrics   ${s.gateway.adminUrl}/metrics  (the gateway's; each service serves its own)`);
  t.line(`  data      ${s.dataDir}`);
  if (s.partnerKey) t.line(`  partner   x-api-key ${s.partnerKey}  (the SDK's apiKey)`);
  t.line(
    s.logLevel === "warn"
      ? "  logs      warnings and errors only; MARQUEE_LOG_LEVEL=info shows more, =debug every RPC"
      : `  logs      level ${s.logLevel}${s.logLevel === "debug" || s.logLevel === "trace" ? "" : "; MARQUEE_LOG_LEVEL=debug shows every RPC"}`,
  );
  t.line("");
}

/**
 * Shows the demo ingest: a bar on a terminal (log lines printed above it while
 * it is drawn), a line per title elsewhere; nothing before `show` (the summary
 * comes first). `stop` takes the bar down.
 */
export function demoProgressView(t: Terminal): {
  onProgress(p: DemoProgress): void;
  show(): void;
  stop(): void;
} {
  let bar: { multi: MultiBar; bar: ReturnType<MultiBar["create"]> } | undefined;
  let startedAt = 0;
  let lastTitle = "";
  let latest: DemoProgress | undefined;
  let shown = false;
  let finished = false;
  let poolAnnounced = false;
  const takeDown = () => {
    if (bar === undefined) return;
    bar.multi.update();
    bar.multi.stop();
    bar = undefined;
    setTerminalWriter(undefined);
  };
  const render = (p: DemoProgress) => {
    const payload = { title: p.title, n: Math.min(p.made + 1, p.total), count: p.total, stage: p.stage };
    if (t.tty && bar === undefined && p.state === "running") {
      const multi = new MultiBar(
        {
          format: "  demo media {bar} {percentage}% | {title} ({n}/{count}) {stage}",
          hideCursor: true,
          barsize: 24,
          clearOnComplete: false,
        },
        Presets.shades_classic,
      );
      bar = { multi, bar: multi.create(100, 0, payload) };
      setTerminalWriter((text) => multi.log(text));
      process.once("exit", takeDown);
    }
    bar?.bar.update(Math.floor(p.fraction * 100), payload);
    if (!t.tty && p.state === "running" && p.title !== lastTitle)
      t.line(`demo ingest: making "${p.title}" (${payload.n} of ${p.total})`);
    lastTitle = p.title;
    if (!poolAnnounced && p.poolTotal > 0 && p.poolMade === p.poolTotal) {
      poolAnnounced = true;
      t.line(
        `Catalog clips ready: every seeded title plays (${p.poolTotal} made ${seconds(Date.now() - startedAt)} after the demo ingest began).`,
      );
    }
    if (p.state === "running") return;
    finished = true;
    takeDown();
    if (p.state === "done")
      t.line(
        `Demo titles ready to play: ${p.total - p.poolTotal} made${p.poolTotal > 0 ? `, with ${p.poolTotal} catalog clips` : ""} in ${seconds(Date.now() - startedAt)}.`,
      );
    else if (p.state === "failed")
      t.line("Demo titles could not be made (see the warning); the next start tries again.");
  };
  return {
    stop() {
      takeDown();
      if (latest !== undefined && !finished)
        t.line(
          `Demo ingest stopped at ${Math.floor(latest.fraction * 100)}%; the next start makes the rest.`,
        );
      finished = true;
    },
    show() {
      shown = true;
      if (latest !== undefined) render(latest);
    },
    onProgress(p) {
      if (finished) return;
      if (startedAt === 0) startedAt = Date.now();
      latest = p;
      if (shown) render(p);
    },
  };
}
